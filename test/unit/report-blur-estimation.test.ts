import { describe, expect, it } from 'vitest';
import type { ImageRow } from '../../src/engine/evaluate/eval-schema';
import { CSV_COLUMNS, evalToCsv } from '../../src/engine/report/csv';
import { renderReportHtml } from '../../src/engine/report/html';
import { minimalEval } from '../integration/eval-support';

const SIGMA = { 3: 0.3, 7: 1.0, 11: 1.6 } as const;
function row(name: string, truth: 3 | 7 | 11 | null, seen: 3 | 7 | 11 | null): ImageRow {
  return {
    name,
    level: truth === null ? 'blur' : `blur_k${truth}`,
    kernel: truth,
    sigma: truth === null ? null : SIGMA[truth],
    width: 448,
    height: 256,
    blurred: `/t/b/${name}.png`,
    sharp: `/t/sharp/${name}.png`,
    model: { psnr: 30, ssim: 0.9 },
    identity: { psnr: 28, ssim: 0.8 },
    wiener: null,
    ms: 1,
    blur: seen === null ? null : { sigma: SIGMA[seen] + 0.04, level: { ksize: seen, sigma: SIGMA[seen], confidence: 0.875 } },
  };
}

/** The confusion table's cells as numbers, row by row. */
function tableCells(html: string): number[][] {
  const table = /<table class="blur-confusion[^"]*">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/data-key="blurEstimation\.confusion\.\d\.\d" data-value="(\d+)"/g)].map((m) => Number(m[1])));
}

describe('report: blur estimation', () => {
  const rows = [row('a', 3, 3), row('b', 7, 7), row('c', 7, 11), row('d', 11, 11), row('e', 11, null)];
  const file = minimalEval(rows);

  it('shows the confusion table of true × estimated level and the share read right', () => {
    const html = renderReportHtml(file);
    expect(tableCells(html)).toEqual([
      [1, 0, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(html).toContain('<th scope="row" class="text">7×7 σ 1.0</th>');
    expect(html).toContain('blur levels estimated right: 75.0 % (3/4; 1 image(s) smaller than 256×256 not estimated)');
    expect(html).toMatch(/<p class="note blur-accuracy" data-value="0\.75">/);
  });

  it('says why there is no table when no level is known', () => {
    const html = renderReportHtml(minimalEval([row('a', null, 7)]));
    expect(html).not.toContain('blur-confusion');
    expect(html).toContain('blur levels are not known');
  });

  it('writes each image\'s estimated σ, level and confidence to the CSV, empty when not estimated', () => {
    const lines = evalToCsv(file).trim().split('\r\n').map((l) => l.split(','));
    const col = (c: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(c);
    const est = lines.slice(1).map((l) => [l[col('name')], l[col('estimated_blur_sigma')], l[col('estimated_blur_kernel')], l[col('estimated_blur_confidence')]]);
    expect(est).toEqual([
      ['a', String(0.3 + 0.04), '3', '0.875'],
      ['b', String(1.0 + 0.04), '7', '0.875'],
      ['c', String(1.6 + 0.04), '11', '0.875'],
      ['d', String(1.6 + 0.04), '11', '0.875'],
      ['e', '', '', ''],
    ]);
  });
});
