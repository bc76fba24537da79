import { describe, expect, it } from 'vitest';
import type { ImageRow } from '../../src/engine/evaluate/eval-schema';
import { evalToCsv, CSV_COLUMNS } from '../../src/engine/report/csv';
import { fmtGain, fmtPsnr, fmtSsim } from '../../src/engine/report/format';
import { renderReportHtml } from '../../src/engine/report/html';
import { reportJson } from '../../src/engine/report/run-report';
import { histogram, niceTicks } from '../../src/engine/report/svg-charts';
import { minimalEval } from '../integration/eval-support';
import { TINY_PNG } from '../helpers/tiny-images';

function row(name: string, level: string, model: number, identity: number, wiener: number | null, ssim: number | null = 0.91): ImageRow {
  return {
    name,
    level,
    kernel: Number(level.slice(6)) || null,
    sigma: null,
    width: 16,
    height: 16,
    blurred: `/data/${level}/${name}.png`,
    sharp: `/data/sharp/${name}.png`,
    model: { psnr: model, ssim },
    identity: { psnr: identity, ssim: 0.8 },
    wiener: wiener === null ? null : { psnr: wiener, ssim: 0.85 },
    ms: 12.5,
    blur: null,
  };
}

const file = minimalEval([
  row('alpha', 'blur_k7', 31.234567, 28.5, 30.1),
  row('beta, "quoted"', 'blur_k7', Infinity, 40, 39),
  row('<gamma>', 'blur_k11', 27.75, 25.125, 26.5, null),
]);

/** data-key → [shown text, data-value] for every summary number in the HTML. */
function keyed(html: string): Map<string, Array<[string, string]>> {
  const out = new Map<string, Array<[string, string]>>();
  for (const m of html.matchAll(/<span(?: class="[^"]*")? data-key="([^"]+)" data-value="([^"]*)">([^<]*)<\/span>/g)) {
    const list = out.get(m[1]!) ?? [];
    list.push([m[3]!, m[2]!]);
    out.set(m[1]!, list);
  }
  return out;
}

describe('renderReportHtml', () => {
  const html = renderReportHtml(file);

  it("shows the summary numbers of the evaluation, each with its exact value", () => {
    const nums = keyed(html);
    const o = file.summary.overall;
    expect(nums.get('overall.model.psnr')?.[0]).toEqual([fmtPsnr(o.model.psnr.meanDb), String(o.model.psnr.meanDb)]);
    expect(nums.get('overall.gainOverIdentityDb')?.[0]).toEqual([fmtGain(o.gainOverIdentityDb), String(o.gainOverIdentityDb)]);
    const k7 = file.summary.levels[0]!;
    expect(nums.get('levels.0.model.psnr')?.[0]).toEqual([fmtPsnr(k7.model.psnr.meanDb), String(k7.model.psnr.meanDb)]);
    expect(nums.get('levels.0.wiener.ssim')?.[0]).toEqual([fmtSsim(k7.wiener!.ssim), String(k7.wiener!.ssim)]);
    expect(nums.get('levels.1.model.ssim')?.[0]).toEqual(['–', '']); // the only image is too small for SSIM
    expect(html).toContain('31.23</td>');
    expect(html).toContain('data-sort="Infinity">∞</td>');
  });

  it('is self-contained: no external URL anywhere, and a CSP that forbids network requests', () => {
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes names taken from files', () => {
    expect(html).toContain('&lt;gamma&gt;');
    expect(html).not.toContain('<gamma>');
  });

  it('draws the charts as inline SVG, with the training curves only when there is a history', () => {
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2);
    const trained = renderReportHtml({
      ...file,
      meta: { ...file.meta, training: { config: { params: { epochs: 3, lr: 0.001 } }, steps: [{ step: 1, loss: 0.2 }, { step: 2, loss: 0.1 }], validation: [{ step: 2, psnr: 30, identityPsnr: 28, ssim: 0.9 }] } },
    });
    expect(trained.match(/<svg class="chart"/g)).toHaveLength(4);
    expect(trained).toContain('Training loss');
    expect(trained).toContain('<tr><th scope="row">epochs</th><td>3</td></tr>'); // the model card is a table (was a <dl>)
  });
});

describe('CSV', () => {
  it('has a header and one RFC 4180 row per image and level', () => {
    const csv = evalToCsv(file);
    const lines = csv.split('\r\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1 + file.images.length);
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines[1]!.split(',').slice(0, 7)).toEqual(['alpha', 'blur_k7', '7', '', '16', '16', '31.234567']);
    expect(lines[2]).toMatch(/^"beta, ""quoted""",blur_k7,7,,16,16,inf,/);
    // missing values are empty: no SSIM for the tiny image, gain over Wiener absent where PSNR is ∞
    const third = lines[3]!.split(',');
    expect(third[CSV_COLUMNS.indexOf('model_ssim')]).toBe('');
    expect(Number(third[CSV_COLUMNS.indexOf('gain_over_identity_db')])).toBeCloseTo(27.75 - 25.125, 12);
  });
});

describe('report JSON', () => {
  it('keeps the numbers (∞ as "Infinity") and drops the image crops', () => {
    const json = JSON.parse(reportJson({ ...file, examples: [{ kind: 'best', name: 'alpha', level: 'blur_k7', gainDb: 2.7, modelPsnr: 31, identityPsnr: 28, crop: { x: 0, y: 0, width: 4, height: 4 }, blurred: TINY_PNG, model: TINY_PNG, wiener: null, sharp: TINY_PNG }] }, '/x/eval.json'));
    expect(json.format).toBe('deblur-studio/report');
    expect(json.source).toEqual({ file: '/x/eval.json', format: 'deblur-studio/evaluation', version: 1 });
    expect(json.images[1].model.psnr).toBe('Infinity');
    expect(json.examples[0]).toEqual({ kind: 'best', name: 'alpha', level: 'blur_k7', gainDb: 2.7, modelPsnr: 31, identityPsnr: 28, crop: { x: 0, y: 0, width: 4, height: 4 } });
  });
});

describe('charts', () => {
  it('picks round ticks covering the data', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(27.3, 31.9, 5)).toEqual([27, 28, 29, 30, 31, 32]);
    const t = niceTicks(-0.37, 2.2, 12);
    expect(t[0]).toBeLessThanOrEqual(-0.37);
    expect(t[t.length - 1]).toBeGreaterThanOrEqual(2.2);
  });

  it('counts every value in the histogram', () => {
    const svg = String(histogram([0.1, 0.2, 0.25, 1.5, -0.4], { title: 't', xLabel: 'x' }));
    const counts = [...svg.matchAll(/: (\d+)<\/title><\/rect>/g)].map((m) => Number(m[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(5);
  });
});
