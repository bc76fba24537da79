import type { BlurEstimate } from '../../shared/contract';
import { BLUR_LEVELS } from '../../shared/contract/primitives';
import { opencvKernelSize } from '../blur/estimate';
import { WIENER_K } from '../evaluate/wiener-constants';

/**
 * Which Gaussian a kernel-aware model's Wiener step undoes, for a known level or an estimated blur:
 * kernel size, σ and the Wiener constant K. One rule for training (the level is known) and inference
 * (it is estimated), so the network sees the same kind of input in both.
 */
export interface WienerKernel {
  ksize: number;
  sigma: number;
  /** noise-to-signal constant of the Wiener filter */
  k: number;
}

/** The course levels' tuned K, as (σ, K) points sorted by σ. */
const K_POINTS = Object.entries(WIENER_K)
  .map(([ksize, k]) => ({ sigma: BLUR_LEVELS[Number(ksize) as keyof typeof BLUR_LEVELS], k }))
  .sort((a, b) => a.sigma - b.sigma);

/** K for any σ: the tuned value at a course level, log-linear between levels, the nearest level's beyond them. */
export function wienerKForSigma(sigma: number): number {
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new Error(`σ must be a positive number, got ${sigma}`);
  const i = K_POINTS.findIndex((p) => p.sigma >= sigma);
  if (i === 0) return K_POINTS[0]!.k;
  if (i < 0) return K_POINTS[K_POINTS.length - 1]!.k;
  const a = K_POINTS[i - 1]!;
  const b = K_POINTS[i]!;
  if (b.sigma === sigma) return b.k;
  const t = (sigma - a.sigma) / (b.sigma - a.sigma);
  return 10 ** (Math.log10(a.k) + t * (Math.log10(b.k) - Math.log10(a.k)));
}

/** The kernel of a prepared level (its kernel size and the σ the data set was blurred with). */
export function wienerKernelOfLevel(ksize: number, sigma: number): WienerKernel {
  const tuned = (WIENER_K as Record<number, number>)[ksize];
  const isCourse = tuned !== undefined && BLUR_LEVELS[ksize as keyof typeof BLUR_LEVELS] === sigma;
  return { ksize, sigma, k: isCourse ? tuned : wienerKForSigma(sigma) };
}

/**
 * Within this ratio of a course level's σ, an estimate is taken as that level (its exact kernel): the level
 * classifier is right far more often than the σ regressor is precise. Further off (σ 1.3, 2.0 …) the
 * regressed σ is used, with OpenCV's kernel size for it.
 */
export const LEVEL_SNAP_RATIO = 1.2;

/**
 * The kernel to undo for an estimated blur. The nearly sharp level (3×3 σ 0.3) is always taken as such: the σ
 * regressor reads those photos as σ 0.35–0.55 (median 0.38 on held-out frames), a Wiener filter for σ 0.38 on a
 * σ 0.3 blur loses ~20 dB (a held-out measurement, scripts/kernel-aware-model), while the level classifier named
 * that level on every held-out σ 0.3 frame; its inverse is gentle (H ≥ 0.98), so a wrong call there costs little.
 */
export function wienerKernelForEstimate(e: BlurEstimate): WienerKernel {
  const ratio = Math.max(e.sigma / e.level.sigma, e.level.sigma / e.sigma);
  if (e.level.ksize === MILDEST_LEVEL || ratio <= LEVEL_SNAP_RATIO) return wienerKernelOfLevel(e.level.ksize, e.level.sigma);
  return { ksize: opencvKernelSize(e.sigma), sigma: e.sigma, k: wienerKForSigma(e.sigma) };
}

const MILDEST_LEVEL = Math.min(...Object.keys(BLUR_LEVELS).map(Number));
