import { describe, expect, it } from 'vitest';
import { summarizeBlurEstimation, trueCourseLevel } from '../../src/engine/evaluate/blur-confusion';
import { evalFileSchema, storedEvalFileSchema, serializeEval } from '../../src/engine/evaluate/eval-schema';
import { minimalEval } from '../integration/eval-support';

type K = 3 | 7 | 11;
const SIGMA = { 3: 0.3, 7: 1.0, 11: 1.6 } as const;
/** A row blurred at `truth` (null: unknown level) that the estimator read as `seen` (null: too small). */
const r = (truth: K | null, seen: K | null, sigma: number | null = truth === null ? null : SIGMA[truth]) => ({
  kernel: truth,
  sigma,
  blur: seen === null ? null : { sigma: SIGMA[seen], level: { ksize: seen, sigma: SIGMA[seen], confidence: 0.8 } },
});

describe('blur estimation confusion table', () => {
  it('counts true level (rows) × estimated level (columns), correct on the diagonal', () => {
    const rows = [r(3, 3), r(3, 3), r(7, 7), r(7, 11), r(7, 3), r(11, 11), r(11, 7), r(11, 11), r(11, 11)];
    expect(summarizeBlurEstimation(rows)).toEqual({
      levels: [3, 7, 11],
      confusion: [
        [2, 0, 0],
        [1, 1, 1],
        [0, 1, 3],
      ],
      correct: 6,
      total: 9,
      notEstimated: 0,
      accuracy: 6 / 9,
    });
  });

  it('leaves out rows of an unknown or non-course level, and counts known rows too small to estimate', () => {
    const s = summarizeBlurEstimation([r(7, 7), r(7, null), r(null, 11), { ...r(7, 7), sigma: 2.5 }, { kernel: 5, sigma: null, blur: r(3, 3).blur }]);
    expect(s?.confusion).toEqual([
      [0, 0, 0],
      [0, 1, 0],
      [0, 0, 0],
    ]);
    expect(s).toMatchObject({ correct: 1, total: 1, notEstimated: 1, accuracy: 1 });
    expect(trueCourseLevel({ kernel: 7, sigma: 2.5 })).toBeNull();
    expect(trueCourseLevel({ kernel: 11, sigma: null })).toBe(11);
  });

  it('is null when no row has a known course level, and has no accuracy when nothing was estimated', () => {
    expect(summarizeBlurEstimation([r(null, 3), r(null, 7)])).toBeNull();
    expect(summarizeBlurEstimation([])).toBeNull();
    expect(summarizeBlurEstimation([r(3, null)])).toMatchObject({ total: 0, notEstimated: 1, accuracy: null });
  });

  it('reads an evaluation file written before blur estimation: rows without blur, no blurEstimation', () => {
    const file = minimalEval([{ name: 'a', level: 'blur_k7', kernel: 7, sigma: 1, width: 8, height: 8, blurred: '/b/a', sharp: '/s/a', model: { psnr: 30, ssim: 0.9 }, identity: { psnr: 28, ssim: 0.8 }, wiener: null, ms: 1, blur: null }]);
    const old = JSON.parse(serializeEval(file)) as { images: Array<Record<string, unknown>>; summary: Record<string, unknown> };
    delete old.images[0]!.blur;
    delete old.summary.blurEstimation;
    for (const schema of [evalFileSchema, storedEvalFileSchema]) {
      const read = schema.parse(old);
      expect(read.images[0]!.blur).toBeNull();
      expect(read.summary.blurEstimation).toBeNull();
    }
  });

  it('refuses a confusion table that is not 3×3, naming the field', () => {
    const file = minimalEval([{ name: 'a', level: 'blur_k7', kernel: 7, sigma: 1, width: 8, height: 8, blurred: '/b/a', sharp: '/s/a', model: { psnr: 30, ssim: 0.9 }, identity: { psnr: 28, ssim: 0.8 }, wiener: null, ms: 1, blur: r(7, 7).blur }]);
    const bad = JSON.parse(serializeEval(file)) as { summary: { blurEstimation: { confusion: number[][] } } };
    bad.summary.blurEstimation.confusion = [[1, 0], [0, 0, 0], [0, 0, 0]];
    const parsed = evalFileSchema.safeParse(bad);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path.join('.')).toBe('summary.blurEstimation.confusion.0');
  });
});
