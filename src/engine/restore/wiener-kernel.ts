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
 * regressed σ is used, with OpenCV's kernel size for it. Chosen on the training photos
 * (scripts/kernel-aware-model/sigma-rule-eval.ts, "snap ratio", 36 frames per σ): 1.15 against the earlier 1.2 raises
 * the mean gain at σ 1.0, 1.3 and 2.0 (+0.14, +0.23, +0.24 dB) and keeps it at the other σ; one more frame ends below
 * its input (σ 1.3, −4.9 dB) while the worst σ 1.0 frame goes from −6.9 to −1.7 dB. 1.1 gains more at σ 1.3 and 2.0
 * but leaves 3 more frames below their input.
 */
export const LEVEL_SNAP_RATIO = 1.15;

/**
 * A mild blur (about σ 0.5–0.8): the level classifier calls it nearly sharp (then only the mild-blur detector tells,
 * `mildBlur`) or the middle level with a regressed σ well below 1.0. The regressor over-reads such blurs (held-out
 * σ 0.6 frames: median σ̂ 0.76), and a deconvolution for too large a σ costs far more than one for too small a σ
 * gains (a σ 0.6 photo: −7 dB under the σ 1.0 filter, +6 to +8 dB under σ 0.55), so one gentle σ is undone for all
 * of them. Chosen on the training photos (scripts/kernel-aware-model/sigma-rule-eval.ts); see the model card.
 */
export interface MildRule {
  /** a regressed σ below this, under the middle or largest level, is a mild blur */
  below: number;
  /** the σ undone for a mild blur */
  sigma: number;
}
export const MILD_RULE: MildRule = { below: 0.9, sigma: 0.55 };

/** Whether an estimate is undone as a mild blur (MildRule). */
export function isMildBlur(e: BlurEstimate, rule: MildRule = MILD_RULE): boolean {
  return e.level.ksize === MILDEST_LEVEL ? e.mildBlur === true : e.sigma < rule.below;
}

/**
 * The kernel to undo for an estimated blur. The nearly sharp level (3×3 σ 0.3) is taken as such unless the mild-blur
 * detector says otherwise: the σ regressor reads those photos as σ 0.35–0.55 (median 0.38 on held-out frames), a
 * Wiener filter for σ 0.38 on a σ 0.3 blur loses ~20 dB (a held-out measurement, scripts/kernel-aware-model), while
 * the level classifier named that level on every held-out σ 0.3 frame; its inverse is gentle (H ≥ 0.98), so a
 * wrong call there costs little.
 */
export function wienerKernelForEstimate(e: BlurEstimate, opts: { compressed?: boolean } = {}, rule: MildRule = MILD_RULE, snapRatio = LEVEL_SNAP_RATIO): WienerKernel {
  const kernel = ((): WienerKernel => {
    if (isMildBlur(e, rule)) return kernelOfSigma(rule.sigma);
    const ratio = Math.max(e.sigma / e.level.sigma, e.level.sigma / e.sigma);
    return e.level.ksize === MILDEST_LEVEL || ratio <= snapRatio ? wienerKernelOfLevel(e.level.ksize, e.level.sigma) : kernelOfSigma(e.sigma);
  })();
  return forFormat(kernel, opts);
}

/** The kernel for a σ the user gives (not estimated): OpenCV's size for σ, so a course level's own kernel at its σ. */
export function wienerKernelForSigma(sigma: number, opts: { compressed?: boolean } = {}): WienerKernel {
  return forFormat(kernelOfSigma(sigma), opts);
}

const forFormat = (kernel: WienerKernel, opts: { compressed?: boolean }): WienerKernel => (opts.compressed ? { ...kernel, k: kernel.k * compressedKFactor(kernel.sigma) } : kernel);

/** The Gaussian OpenCV would make for σ, with the interpolated K (a course level's tuned K at its σ). */
const kernelOfSigma = (sigma: number): WienerKernel => ({ ksize: opencvKernelSize(sigma), sigma, k: wienerKForSigma(sigma) });

/**
 * A lossy photo (JPEG, WebP …) carries compression noise the tuned K (8-bit rounding only) would amplify: K is
 * raised 3× up to σ 1.0 and 10× from σ 1.6, log-linear between. Chosen on the training photos (9 mate-backgrounds
 * photos, whole and 2 crops each, JPEG quality 75 and 90): at 11×11 σ 1.6 the tuned K scores 29.96 / 31.51 dB
 * (input 30.97 / 31.28), ×10 32.09 / 32.97; at 7×7 σ 1.0 ×3 is best, 33.18 / 34.54 dB (input 32.86 / 33.50).
 */
export function compressedKFactor(sigma: number): number {
  const [lo, hi] = [1.0, 1.6];
  const t = Math.min(1, Math.max(0, (sigma - lo) / (hi - lo)));
  return 10 ** (Math.log10(3) + t * (1 - Math.log10(3)));
}

const MILDEST_LEVEL = Math.min(...Object.keys(BLUR_LEVELS).map(Number));
