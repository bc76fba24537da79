import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateParams, reportParams, reportResult } from '../../src/shared/contract';
import { parseEval, type EvalFile, type LevelSummary } from '../../src/engine/evaluate/eval-schema';
import { runEvaluate } from '../../src/engine/evaluate/run-evaluate';
import { gaussianBlurOpenCV } from '../../src/engine/image/gaussian';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { imageGain } from '../../src/engine/evaluate/summarize';
import { fmtGain, fmtInt, fmtPsnr, fmtSsim } from '../../src/engine/report/format';
import { imagesByGain } from '../../src/engine/report/html';
import { ChromiumMissingError, findChromium } from '../../src/engine/report/pdf';
import { runReport } from '../../src/engine/report/run-report';
import { selectRuntime } from '../../src/engine/runtime/select';
import { fixturePath, readPngRaw } from '../helpers/fixtures';
import { saveTinyModel, writePng } from './infer-support';

/**
 * The whole evaluation chain: eval → JSON → CSV, HTML, PDF; then the HTML opened in Chromium, its numbers
 * checked against the JSON, and a screenshot saved for the docs.
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOT = path.join(REPO, 'docs', 'screenshots', 'report.png');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const LEVELS = [
  [3, 0.3],
  [7, 1.0],
  [11, 1.6],
] as const;

let root: string;
let evalJson: string;

beforeAll(async () => {
  await selectRuntime();
  root = await mkdtemp(path.join(os.tmpdir(), 'deblur-report-e2e-'));
  const set = path.join(root, 'test-set');
  // three crops smaller than the blur estimator's 256×256 tile, and one frame of the course's size it can read
  for (const name of ['dune-crop-97x61', 'ladybird-crop-128x96', 'raindrops-crop-120x80', 'dune-640x360.resize-448x256']) {
    const sharp = await readPngRaw(name.includes('448x256') ? fixturePath('opencv', `${name}.png`) : fixturePath('photos', `${name}.png`), 3);
    await writePng(path.join(set, 'sharp', `${name}.png`), sharp);
    for (const [k, sigma] of LEVELS) await writePng(path.join(set, `blur_k${k}`, `${name}.png`), gaussianBlurOpenCV(sharp, k, sigma));
  }
  // The shipped default model makes a more telling screenshot; the tiny test model stands in until it exists.
  const defaultModel = path.join(REPO, 'resources', 'models', 'default');
  const model = existsSync(path.join(defaultModel, 'model.json')) ? defaultModel : await saveTinyModel(root);
  evalJson = path.join(root, 'eval.json');
  await runEvaluate(evaluateParams.parse({ testSet: set, model, out: evalJson }), createTestContext());
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The JSON value a summary data-key of the HTML names, and how the page formats it. */
function expectedFor(file: EvalFile, key: string): { text: string; value: number | null } {
  const [scope, ...rest] = key.split('.');
  if (scope === 'blurEstimation') {
    // blurEstimation.confusion.<true>.<estimated>
    const n = file.summary.blurEstimation!.confusion[Number(rest[1])]![Number(rest[2])]!;
    return { text: fmtInt(n), value: n };
  }
  const s: LevelSummary = scope === 'overall' ? file.summary.overall : file.summary.levels[Number(rest.shift())]!;
  const field = rest.join('.');
  switch (field) {
    case 'images':
      return { text: fmtInt(s.images), value: s.images };
    case 'gainOverIdentityDb':
    case 'gainOverWienerDb':
      return { text: fmtGain(s[field]), value: s[field] };
    default: {
      const [method, metric] = field.split('.') as ['model' | 'identity' | 'wiener', 'psnr' | 'ssim'];
      const m = s[method];
      if (metric === 'psnr') return { text: fmtPsnr(m?.psnr.meanDb), value: m?.psnr.meanDb ?? null };
      return { text: fmtSsim(m?.ssim), value: m?.ssim ?? null };
    }
  }
}

describe('evaluation report end to end', () => {
  it('writes JSON, CSV, HTML and PDF; the page in Chromium shows the JSON numbers and requests nothing', async () => {
    const file = parseEval(await readFile(evalJson, 'utf8'));
    expect(file.images).toHaveLength(12);
    expect(file.summary.levels.map((l) => l.level)).toEqual(['blur_k3', 'blur_k7', 'blur_k11']);

    const out = (name: string) => path.join(root, 'report', name);
    const params = reportParams.parse({ evalJson, html: out('report.html'), csv: out('report.csv'), json: out('report.json'), pdf: out('report.pdf') });
    const chromiumPath = findChromium();
    if (chromiumPath === null) {
      // Without Chromium the other outputs are still written, then the PDF fails with instructions.
      await expect(runReport(params, createTestContext())).rejects.toBeInstanceOf(ChromiumMissingError);
      expect(existsSync(out('report.html'))).toBe(true);
      return;
    }
    const result = await runReport(params, createTestContext());
    expect(reportResult.parse(result)).toEqual(result);
    expect(result.written).toEqual([out('report.html'), out('report.csv'), out('report.json'), out('report.pdf')]);
    expect((await readFile(out('report.pdf'))).subarray(0, 5).toString()).toBe('%PDF-');
    const csv = (await readFile(out('report.csv'), 'utf8')).trim().split('\r\n').map((l) => l.split(','));
    expect(csv).toHaveLength(1 + file.images.length);
    // per image: the estimated σ and level, empty for an image too small to estimate
    const [sigmaCol, kernelCol] = ['estimated_blur_sigma', 'estimated_blur_kernel'].map((c) => csv[0]!.indexOf(c));
    expect(csv.slice(1).map((l) => [l[sigmaCol!], l[kernelCol!]])).toEqual(file.images.map((r) => (r.blur ? [String(r.blur.sigma), String(r.blur.level.ksize)] : ['', ''])));
    expect(JSON.parse(await readFile(out('report.json'), 'utf8')).summary.overall.images).toBe(12);

    const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(out('report.html')).href);

      const shown = await page.$$eval('[data-key]', (els) => els.map((e) => ({ key: e.getAttribute('data-key')!, text: e.textContent!, value: e.getAttribute('data-value')! })));
      expect(shown.length).toBeGreaterThan(30);
      for (const s of shown) {
        const want = expectedFor(file, s.key);
        expect(s.text, s.key).toBe(want.text);
        expect(s.value === '' ? null : Number(s.value), s.key).toBe(want.value);
      }

      const table = await page.$$eval('table.images tbody tr', (rows) => rows.map((r) => [...(r as HTMLTableRowElement).cells].map((c) => c.textContent)));
      expect(table.map((r) => [r[0], r[1], r[2], r[3], r[4]])).toEqual(imagesByGain(file.images).map((r) => [r.name, r.level, fmtPsnr(r.model.psnr), fmtSsim(r.model.ssim), fmtPsnr(r.identity.psnr)]));
      // the report has no script: the rows come sorted by gain over the input, best first
      const gains = await page.$$eval('table.images tbody tr', (rows) => rows.map((r) => (r as HTMLTableRowElement).cells[8]!.getAttribute('data-sort')));
      expect(gains).toEqual(file.images.map(imageGain).sort((a, b) => (b ?? -Infinity) - (a ?? -Infinity)).map((g) => (g === null ? '' : String(g))));
      expect(await page.locator('script').count()).toBe(0);

      // blur estimation: true level (rows) × estimated level (columns); its counts and the too-small images add up to the images scored
      const blur = file.summary.blurEstimation!;
      const confusion = await page.$$eval('table.blur-confusion tbody tr', (rows) => rows.map((r) => [...(r as HTMLTableRowElement).cells].slice(1).map((c) => Number(c.textContent))));
      expect(confusion).toEqual(blur.confusion);
      const sum = confusion.flat().reduce((a, b) => a + b, 0);
      expect(sum).toBe(blur.total);
      expect(blur.total).toBe(file.images.filter((r) => r.blur !== null).length);
      expect(blur.total + blur.notEstimated).toBe(file.images.length);
      expect(confusion.map((r) => r.reduce((a, b) => a + b, 0))).toEqual([1, 1, 1]); // one readable frame per level
      expect(await page.locator('p.blur-accuracy').textContent()).toContain(`(${blur.correct}/${blur.total}; 9 image(s) smaller than 256×256 not estimated)`);

      expect(await page.locator('figure.example img').count()).toBeGreaterThan(0);
      expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
      expect(errors).toEqual([]);

      await mkdir(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    } finally {
      await browser.close();
    }
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});
