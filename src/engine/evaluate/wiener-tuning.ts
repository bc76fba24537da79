import type { RawImage } from '../image/raw-image';
import { psnr } from '../metrics';
import { wienerDeblurGaussian } from './wiener';

/**
 * How the Wiener constants (wiener-constants.ts) are chosen: for one blur level, every candidate K is
 * applied to blurred training photos and scored by the mean PSNR against their sharp originals; the
 * best K wins. Run on training photos only, never on a test set, so the baseline is not tuned to
 * the data it is scored on.
 */

export interface TuningPair {
  sharp: RawImage;
  blurred: RawImage;
}

/** 17 values from 1e-5 to 1e-1, four per decade (log-spaced). */
export const K_CANDIDATES: readonly number[] = Array.from({ length: 17 }, (_, i) => Number((10 ** (-5 + i / 4)).toPrecision(3)));

export interface TuningResult {
  best: number;
  /** mean PSNR (dB) per candidate, in candidate order */
  scores: Array<{ k: number; meanPsnr: number }>;
}

export function tuneWienerK(pairs: readonly TuningPair[], ksize: number, sigma: number, candidates: readonly number[] = K_CANDIDATES): TuningResult {
  if (pairs.length === 0) throw new Error('Wiener tuning needs at least one photo pair');
  const scores = candidates.map((k) => {
    let sum = 0;
    for (const p of pairs) {
      const v = psnr(wienerDeblurGaussian(p.blurred, ksize, sigma, k), p.sharp);
      // A perfect restoration (∞ dB) only happens for trivial images; cap so one cannot dominate the mean.
      sum += Math.min(v, 100);
    }
    return { k, meanPsnr: sum / pairs.length };
  });
  const best = scores.reduce((a, b) => (b.meanPsnr > a.meanPsnr ? b : a));
  return { best: best.k, scores };
}
