/**
 * Hostile input: crafted eval.json files. Example-image fields holding javascript:, file:, http: and SVG
 * (with script) URLs, attribute breakouts and non-image bytes; every text field the report shows
 * (names, levels, paths, model card, settings, skipped files, record keys) holding markup: <script>,
 * event-handler attribute breakouts, </title> and </style> breakouts with CSS url(), <meta refresh>,
 * <base>, <iframe>/<object> of file:///etc/passwd, <link>, javascript: links, SVG script, comments.
 * Fault injected: none in the app; the attacker controls the file. For the PDF printer, a page that
 * bypasses the report's escaping and CSP altogether (as if both had a bug).
 * Must hold: image fields are refused by the schema with an error naming the field, and no HTML is
 * written; every other file renders, and in Chromium with JavaScript ON no script runs (canary and
 * dialog listener), no request leaves the page (route log and a local server that counts hits), no
 * active element or handler exists, and the payloads appear as text; with the report's CSP removed
 * the same holds (escaping alone is enough). The PDF printer runs no script, loads no file:// URL and
 * lets no request through.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeEval, type EvalFile, type ImageRow } from '../../src/engine/evaluate/eval-schema';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { HEADLESS_CHROMIUM_ARGS, REPORT_PAGE_URL, findChromium, printHtmlToPdf, withIsolatedPage } from '../../src/engine/report/pdf';
import { runReport } from '../../src/engine/report/run-report';
import { reportParams } from '../../src/shared/contract';
import { minimalEval } from '../integration/eval-support';
import { TINY_PNG, TINY_PNG_BASE64 } from '../helpers/tiny-images';

let dir: string;
let server: http.Server;
let HOST: string;
const hits: string[] = [];
let browser: Browser | null = null;
const chromiumPath = findChromium();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'deblur-hostile-report-'));
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('hit');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  HOST = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (chromiumPath) browser = await chromium.launch({ executablePath: chromiumPath, args: [...HEADLESS_CHROMIUM_ARGS] });
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** Markup that would run script, load something or navigate if it reached the page as markup. */
const payloads = (host: string): string[] => [
  '<script>window.__pwned=1;alert(1)</script>',
  '"><img src=x onerror="window.__pwned=1">',
  "'><svg onload=\"window.__pwned=1\">",
  '</title><script>window.__pwned=1</script>',
  `</style><style>body{background:url(${host}/css-url)}</style>`,
  `<meta http-equiv="refresh" content="0;url=${host}/refresh">`,
  `<base href="${host}/">`,
  '<iframe src="file:///etc/passwd"></iframe>',
  `<link rel="stylesheet" href="${host}/link">`,
  '<a href="javascript:window.__pwned=1">click</a>',
  `<img src="${host}/img">`,
  `" style="background:url(${host}/attr-css)`,
  '<svg><script>window.__pwned=1</script></svg>',
  '<object data="file:///etc/passwd"></object>',
  'javascript:window.__pwned=1',
  '<!-- everything after this would be hidden',
  ']]></svg></text><script>window.__pwned=1</script>',
];

function row(name: string, level: string, model: number, identity: number): ImageRow {
  return { name, level, kernel: null, sigma: null, width: 8, height: 8, blurred: `/t/${level}/${name}.png`, sharp: `/t/sharp/${name}.png`, model: { psnr: model, ssim: 0.5 }, identity: { psnr: identity, ssim: 0.4 }, wiener: { psnr: identity + 0.5, ssim: 0.45 }, ms: 3, blur: null };
}

/** An evaluation whose every text field (and record key) the report shows is `p`. */
function hostileEval(p: string): EvalFile {
  const file = minimalEval([row(p, p, 30, 28), row(`${p}2`, 'blur_k7', 25, 26)]);
  const m = file.meta;
  return {
    ...file,
    meta: {
      ...m,
      createdAt: p,
      app: { name: p, version: p },
      backend: p,
      model: { ...m.model, requested: p, dir: p, name: p, architecture: p, metadata: { [p]: p, nested: { [p]: p } }, runDir: p },
      training: { config: { params: { [p]: p }, dataset: { path: p }, totalSteps: p }, steps: [{ step: 1, loss: 0.5 }, { step: 2, loss: 0.4 }], validation: [{ step: 2, psnr: 29, identityPsnr: 28, ssim: 0.5 }] },
      testSet: { path: p, layout: 'levels' },
      settings: { ...m.settings, metrics: p, wiener: { ...m.settings.wiener, method: p, k: { [p]: 0.01 } } },
    },
    examples: [{ kind: 'best', name: p, level: p, gainDb: 2, modelPsnr: 30, identityPsnr: 28, crop: { x: 0, y: 0, width: 1, height: 1 }, blurred: TINY_PNG, model: TINY_PNG, wiener: TINY_PNG, sharp: TINY_PNG }],
    skipped: [{ path: p, reason: p }],
  };
}

async function writeEval(name: string, text: string): Promise<string> {
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, text);
  return file;
}

const svgScript = '<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1"><script>window.__pwned=1</script></svg>';
const BAD_IMAGE_URLS: Array<[string, string]> = [
  ['javascript: URL', 'javascript:window.__pwned=1'],
  ['file: URL', 'file:///etc/passwd'],
  ['http: URL', 'http://127.0.0.1:9/x.png'],
  ['SVG data URL (base64) with script', `data:image/svg+xml;base64,${Buffer.from(svgScript).toString('base64')}`],
  ['SVG data URL (text) with script', `data:image/svg+xml,${encodeURIComponent(svgScript)}`],
  ['HTML data URL', `data:text/html;base64,${Buffer.from('<script>window.__pwned=1</script>').toString('base64')}`],
  ['attribute breakout after a valid PNG', `${TINY_PNG}" onerror="window.__pwned=1`],
  ['CSS url() after a valid prefix', `data:image/png;base64,${TINY_PNG_BASE64.slice(0, 8)});background:url(http://127.0.0.1:9/css)`],
  ['PNG type, script bytes', `data:image/png;base64,${Buffer.from('<script>window.__pwned=1</script>').toString('base64')}`],
  ['extra parameters', `data:image/png;charset=utf-8;base64,${TINY_PNG_BASE64}`],
];

describe('hostile eval.json: example images', () => {
  for (const field of ['blurred', 'model', 'wiener', 'sharp'] as const) {
    it(`refuses every non-image URL in examples.0.${field}, naming the field, and writes no HTML`, async () => {
      for (const [what, url] of BAD_IMAGE_URLS) {
        const json = JSON.parse(serializeEval(hostileEval('x'))) as { examples: Array<Record<string, unknown>> };
        json.examples[0]![field] = url;
        const evalJson = await writeEval(`bad-${field}`, JSON.stringify(json));
        const html = path.join(dir, `bad-${field}.html`);
        await expect(runReport(reportParams.parse({ evalJson, html }), createTestContext()), what).rejects.toThrow(`${evalJson} is damaged: examples.0.${field}: `);
        expect(existsSync(html), what).toBe(false);
      }
    });
  }
});

describe.runIf(chromiumPath !== null)('hostile eval.json: text fields, opened in Chromium with JavaScript on', () => {
  /** Opens `html` as if served, JavaScript ON, and reports what the page did. */
  async function open(html: string) {
    const context = await browser!.newContext({ javaScriptEnabled: true });
    const requests: string[] = [];
    const dialogs: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    await context.route('**/*', (route) => (route.request().url() === REPORT_PAGE_URL ? route.fulfill({ contentType: 'text/html; charset=utf-8', body: html }) : route.abort()));
    const page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    try {
      await page.goto(REPORT_PAGE_URL, { waitUntil: 'load' });
      const dom = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: unknown }).__pwned,
        title: document.title,
        scripts: document.querySelectorAll('script').length,
        active: [...document.querySelectorAll('iframe, frame, object, embed, base, link, a, form, foreignObject, use, image, meta[http-equiv="refresh" i]')].map((e) => e.outerHTML),
        handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${e.tagName} ${a.name}`)),
        images: [...document.querySelectorAll('img')].map((i) => i.getAttribute('src')),
        styleElements: [...document.querySelectorAll('style')].map((s) => s.textContent ?? ''),
        styleAttributes: [...document.querySelectorAll('[style]')].map((e) => e.getAttribute('style')),
        text: document.body.textContent ?? '',
      }));
      return { dom, requests, dialogs, url: page.url() };
    } finally {
      await context.close();
    }
  }

  const cases = payloads('HOST').map((_, i) => i);
  for (const i of cases) {
    it(`payload ${i + 1}: renders as text, runs nothing, requests nothing (with and without the CSP)`, async () => {
      const p = payloads(HOST)[i]!;
      const evalJson = await writeEval(`hostile-${i}`, serializeEval(hostileEval(p)));
      const htmlFile = path.join(dir, `hostile-${i}.html`);
      await runReport(reportParams.parse({ evalJson, html: htmlFile }), createTestContext());
      const html = await readFile(htmlFile, 'utf8');
      const withoutCsp = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
      expect(withoutCsp).not.toBe(html);
      for (const [label, page] of [['with CSP', html], ['CSP removed', withoutCsp]] as const) {
        const r = await open(page);
        expect(r.dom.pwned, label).toBeUndefined();
        expect(r.dialogs, label).toEqual([]);
        expect(r.dom.title, label).toBe(`Deblurring report — ${p}`);
        expect(r.dom.scripts, label).toBe(0);
        expect(r.dom.active, label).toEqual([]);
        expect(r.dom.handlers, label).toEqual([]);
        expect(r.dom.images.length, label).toBeGreaterThan(0);
        expect(r.dom.images.every((src) => src === TINY_PNG), label).toBe(true);
        expect(r.dom.styleElements, label).toHaveLength(1);
        expect(r.dom.styleElements[0], label).not.toMatch(/url\(/i);
        expect(r.dom.styleAttributes.every((s) => /^--n:\d+$/.test(s ?? '')), label).toBe(true);
        expect(r.dom.text, label).toContain(p); // shown, not swallowed
        expect(r.requests, label).toEqual([REPORT_PAGE_URL]);
        expect(r.url, label).toBe(REPORT_PAGE_URL);
      }
      expect(hits).toEqual([]);
    });
  }

  it('prints a hostile report to PDF without a single request', async () => {
    const p = payloads(HOST).join(' ');
    const evalJson = await writeEval('hostile-all', serializeEval(hostileEval(p)));
    const ctx = createTestContext();
    const pdf = path.join(dir, 'hostile-all.pdf');
    await runReport(reportParams.parse({ evalJson, pdf }), ctx);
    expect((await readFile(pdf)).subarray(0, 5).toString()).toBe('%PDF-');
    expect(ctx.logs.filter((l) => l.level === 'warn')).toEqual([]); // the printer refused nothing: nothing was asked
    expect(hits).toEqual([]);
  });
});

describe.runIf(chromiumPath !== null)('PDF printer isolation, for a page that bypasses the report escaping and CSP', () => {
  const page = (host: string) => `<!doctype html><html><head><title>raw</title>
<link rel="stylesheet" href="${host}/link.css">
<meta http-equiv="refresh" content="0;url=${host}/refresh">
</head><body><h1 id="h">untouched</h1>
<script>window.__pwned = 1; document.getElementById('h').textContent = 'SCRIPT RAN'; fetch('${host}/script');</script>
<img src="${host}/img.png"><img src="file:///etc/passwd">
<iframe src="file:///etc/passwd"></iframe><iframe src="${host}/frame"></iframe>
<object data="file:///etc/passwd"></object>
</body></html>`;

  it('runs no script, reads no local file and lets no request through', async () => {
    const seen = await withIsolatedPage(page(HOST), async (p, blocked) => ({
      pwned: await p.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned),
      heading: await p.textContent('#h'),
      frameUrls: p.frames().map((f) => f.url()),
      text: await p.content(),
      url: p.url(),
      blocked: [...blocked],
    }));
    expect(seen.pwned).toBeUndefined();
    expect(seen.heading).toBe('untouched');
    // the file:// frames stay empty (a frame that had loaded the file would have its URL) and nothing of it shows
    expect(seen.frameUrls[0]).toBe(REPORT_PAGE_URL);
    expect(seen.frameUrls.filter((u) => u.startsWith('file:'))).toEqual([]);
    expect(seen.text).not.toMatch(/root:.*:0:0:/);
    expect(seen.url).toBe(REPORT_PAGE_URL);
    // what the page asked for was refused (never reached the server); the script's fetch was never made
    expect(seen.blocked).toEqual(expect.arrayContaining([`${HOST}/link.css`, `${HOST}/img.png`, `${HOST}/frame`]));
    expect(seen.blocked).not.toContain(`${HOST}/script`);
    expect(hits).toEqual([]);
  });

  it('still prints it, and says which requests it refused', async () => {
    const pdf = path.join(dir, 'raw.pdf');
    const { blocked } = await printHtmlToPdf(page(HOST), pdf);
    expect((await readFile(pdf)).subarray(0, 5).toString()).toBe('%PDF-');
    expect(blocked).toEqual(expect.arrayContaining([`${HOST}/img.png`]));
    expect(hits).toEqual([]);
  });
});
