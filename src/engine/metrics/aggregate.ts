/**
 * Averages of per-image metrics for reports.
 *
 * PSNR rule: identical image pairs have an infinite PSNR, and one of them would make a plain mean
 * infinite, hiding every other image. So the mean is taken over the finite values only, and the
 * infinite ones are counted separately: "32.10 dB over 9 images, 1 identical left out" (10 pairs).
 * When every pair is identical there is no finite mean (meanDb null).
 *
 * SSIM is bounded (≤ 1, exactly 1 for identical images), so a plain mean is right.
 */

export interface PsnrSummary {
  /** Mean over the finite PSNR values in dB; null when there are none. */
  meanDb: number | null;
  /** Number of finite values the mean is taken over. */
  finite: number;
  /** Number of identical pairs (PSNR = +Infinity), left out of the mean. */
  identical: number;
  total: number;
}

export function summarizePsnr(values: readonly number[]): PsnrSummary {
  let sum = 0;
  let finite = 0;
  let identical = 0;
  for (const v of values) {
    if (v === Infinity) identical++;
    else if (Number.isFinite(v)) {
      sum += v;
      finite++;
    } else throw new Error(`PSNR summary: invalid value ${v}`);
  }
  return { meanDb: finite > 0 ? sum / finite : null, finite, identical, total: values.length };
}

/** e.g. "32.10 dB over 9 images, 1 identical left out", "all 3 images identical", "no images". */
export function formatPsnrSummary(s: PsnrSummary, digits = 2): string {
  if (s.total === 0) return 'no images';
  if (s.meanDb === null) return s.total === 1 ? '1 image, identical' : `all ${s.total} images identical`;
  const images = s.finite === 1 ? '1 image' : `${s.finite} images`;
  const leftOut = s.identical > 0 ? `, ${s.identical} identical left out` : '';
  return `${s.meanDb.toFixed(digits)} dB over ${images}${leftOut}`;
}

/** Plain mean of SSIM values; null for an empty list. */
export function meanSsim(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new Error(`SSIM mean: invalid value ${v}`);
    sum += v;
  }
  return sum / values.length;
}
