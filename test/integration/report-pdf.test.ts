import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumMissingError, findChromium, printHtmlToPdf } from '../../src/engine/report/pdf';

let dir: string;
const saved = process.env.DEBLUR_CHROMIUM;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'deblur-pdf-'));
});
afterEach(() => {
  if (saved === undefined) delete process.env.DEBLUR_CHROMIUM;
  else process.env.DEBLUR_CHROMIUM = saved;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('printHtmlToPdf', () => {
  it('prints HTML to PDF with headless Chromium, or says how to install it', async () => {
    const html = '<!doctype html><meta charset="utf-8"><title>t</title><h1>Hello PDF</h1>';
    const pdf = path.join(dir, 'page.pdf');
    if (findChromium() === null) {
      await expect(printHtmlToPdf(html, pdf)).rejects.toBeInstanceOf(ChromiumMissingError);
      return;
    }
    expect(await printHtmlToPdf(html, pdf)).toEqual({ blocked: [] });
    const bytes = await readFile(pdf);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(500);
  });

  it.runIf(findChromium() !== null)('prints on A4 or Letter paper as asked (Letter by default)', async () => {
    const box = async (format?: 'A4' | 'Letter') => {
      const pdf = path.join(dir, `paper-${format ?? 'default'}.pdf`);
      await printHtmlToPdf('<p>paper</p>', pdf, { format });
      const m = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec((await readFile(pdf)).toString('latin1'));
      return m ? [Math.round(Number(m[1])), Math.round(Number(m[2]))] : null;
    };
    expect(await box('A4')).toEqual([596, 843]); // 210 × 297 mm in points
    expect(await box('Letter')).toEqual([612, 792]);
    expect(await box()).toEqual([612, 792]);
  });

  it('fails with install instructions when Chromium is not where DEBLUR_CHROMIUM says', async () => {
    process.env.DEBLUR_CHROMIUM = path.join(dir, 'no-chromium-here');
    expect(findChromium()).toBeNull();
    await expect(printHtmlToPdf('<p>x</p>', path.join(dir, 'x.pdf'))).rejects.toThrow(/needs Chromium.*apt-get install chromium.*DEBLUR_CHROMIUM/);
  });
});
