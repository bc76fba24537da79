import { describe, expect, it } from 'vitest';
import { parseEval, serializeEval, type ImageRow } from '../../src/engine/evaluate/eval-schema';
import { imageGain, meanGain, summarizeEvaluation } from '../../src/engine/evaluate/summarize';
import { minimalEval } from '../integration/eval-support';

function row(name: string, level: string, model: number, identity: number, wiener: number | null): ImageRow {
  return {
    name,
    level,
    kernel: level === 'blur' ? null : Number(level.slice(6)),
    sigma: null,
    width: 8,
    height: 8,
    blurred: `/b/${name}`,
    sharp: `/s/${name}`,
    model: { psnr: model, ssim: 0.9 },
    identity: { psnr: identity, ssim: 0.8 },
    wiener: wiener === null ? null : { psnr: wiener, ssim: 0.85 },
    ms: 1,
    blur: null,
  };
}

describe('summarizeEvaluation', () => {
  it('averages per level with the ∞-aware PSNR rule and per-image gains', () => {
    const rows = [row('a', 'blur_k7', 30, 25, 28), row('b', 'blur_k7', 34, 27, 30), row('c', 'blur_k7', Infinity, 40, 35), row('d', 'blur', 20, 21, null)];
    const s = summarizeEvaluation(
      [
        { level: 'blur_k7', kernel: 7, sigma: 1 },
        { level: 'blur', kernel: null, sigma: null },
      ],
      rows,
    );
    const k7 = s.levels[0]!;
    expect(k7.model.psnr).toEqual({ meanDb: 32, finite: 2, identical: 1, total: 3 });
    expect(k7.identity.psnr.meanDb).toBeCloseTo((25 + 27 + 40) / 3, 12);
    expect(k7.gainOverIdentityDb).toBeCloseTo((5 + 7) / 2, 12); // image c has no finite gain
    expect(k7.gainOverWienerDb).toBeCloseTo((2 + 4) / 2, 12);
    expect(k7.model.ssim).toBeCloseTo(0.9, 12);
    expect(s.levels[1]!.wiener).toBeNull();
    // overall: Wiener only where every image has it
    expect(s.overall.images).toBe(4);
    expect(s.overall.wiener).toBeNull();
    expect(s.overall.gainOverIdentityDb).toBeCloseTo((5 + 7 - 1) / 3, 12);
    expect(imageGain(rows[2]!)).toBeNull();
    expect(meanGain([])).toBeNull();
  });
});

describe('eval file', () => {
  it('round-trips through JSON with infinite PSNR written as "Infinity"', () => {
    const file = minimalEval([row('a', 'blur_k7', Infinity, 25, 28)]);
    const text = serializeEval(file);
    expect(text).toContain('"psnr": "Infinity"');
    const back = parseEval(text);
    expect(back.images[0]!.model.psnr).toBe(Infinity);
    expect(back).toEqual(file);
  });

  it('refuses other formats, versions and damaged files with the field named', () => {
    expect(() => parseEval('{')).toThrow(/not valid JSON/);
    expect(() => parseEval('{"format":"x"}')).toThrow(/not an evaluation of this app/);
    expect(() => parseEval('{"format":"deblur-studio/evaluation","version":9}')).toThrow(/version 9/);
    const broken = JSON.parse(serializeEval(minimalEval([row('a', 'blur_k7', 30, 25, 28)])));
    broken.images[0].model.ssim = 'high';
    expect(() => parseEval(JSON.stringify(broken))).toThrow(/images\.0\.model\.ssim/);
  });
});
