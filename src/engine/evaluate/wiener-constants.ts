import { BLUR_LEVELS } from '../../shared/contract/primitives';

/**
 * The Wiener baseline's noise-to-signal constant K for each blur level of the course.
 *
 * Chosen with tuneWienerK (wiener-tuning.ts, grid K_CANDIDATES: 1e-5 … 1e-1, four per decade) on
 * training photos, not on any test set: the nine photos of Debian's mate-backgrounds 1.26.0
 * `nature/` folder other than the three the test fixtures come from (Aqua, Blinds, FreshFlower,
 * Garden, GreenMeadow, Storm, TwoWings, Wood, YellowFlower), each resized to 448×256 with
 * resizeLinearOpenCV and blurred with gaussianBlurOpenCV, as `prepare` makes training data.
 * Mean PSNR over those photos at the chosen K:
 *   k3  σ 0.3:  K = 1e-5     85.27 dB  (the blur only moves pixels by rounding; K → 0 is best,
 *                                       the inverse filter is stable since H ≥ 0.98)
 *   k7  σ 1.0:  K = 5.62e-3  39.65 dB
 *   k11 σ 1.6:  K = 1.78e-3  36.21 dB
 * The 8-bit rounding of the blurred images is the "noise" K stands for.
 */
export const WIENER_K: Readonly<Record<keyof typeof BLUR_LEVELS, number>> = {
  3: 1e-5,
  7: 5.62e-3,
  11: 1.78e-3,
};

/** The known blur of a level (kernel size → σ) and its K; null for a level this app did not make. */
export function wienerSettingsFor(kernel: number | null): { ksize: number; sigma: number; k: number } | null {
  if (kernel === null || !Object.hasOwn(BLUR_LEVELS, kernel)) return null;
  const ksize = kernel as keyof typeof BLUR_LEVELS;
  return { ksize, sigma: BLUR_LEVELS[ksize], k: WIENER_K[ksize] };
}
