import type { BlurEstimate, BlurEstimation, RestoreRoute } from './contract';
import { BLUR_LEVELS } from './contract/primitives';

/** One line for a blur estimate, the same in the engine's log, the CLI and the Deblur view. */
export function describeBlur(e: BlurEstimate | null): string {
  if (e === null) return 'estimated blur: unknown (the photo is smaller than 256×256)';
  const k = e.level.ksize;
  const mild = e.mildBlur ? ', yet a mild blur past it' : '';
  return `estimated blur: σ ≈ ${e.sigma.toFixed(1)} (nearest course level ${k}×${k} σ ${e.level.sigma.toFixed(1)}, ${Math.round(e.level.confidence * 100)} % sure${mild})`;
}

/** A course level as the estimator's card names it: "7×7 σ 1.0". */
export function courseLevelLabel(ksize: 3 | 7 | 11): string {
  return `${ksize}×${ksize} σ ${BLUR_LEVELS[ksize].toFixed(1)}`;
}

/** The evaluation's blur-estimation score in one line, the same in the CLI, the report and the Evaluate view. */
export function describeBlurAccuracy(b: BlurEstimation): string {
  const pct = b.accuracy === null ? '–' : `${(b.accuracy * 100).toFixed(1)} %`;
  const small = b.notEstimated > 0 ? `; ${b.notEstimated} image(s) smaller than 256×256 not estimated` : '';
  return `blur levels estimated right: ${pct} (${b.correct}/${b.total}${small})`;
}

/** How a photo was restored, in one line (kernel-aware models; a blind model's route says nothing new). */
export function describeRoute(r: RestoreRoute): string {
  if (r.kind === 'blind') return 'restored by the blind model';
  if (r.kernel === null) return 'left as it is: its blur cannot be estimated (smaller than 256×256)';
  const k = `${r.kernel.ksize}×${r.kernel.ksize} σ ${r.kernel.sigma.toFixed(2)}`;
  return r.refined ? `Wiener filter (${k}), refined by the network` : `Wiener filter (${k}) only: the model did not improve on it at this blur in validation`;
}

/**
 * How a kernel-aware model restored a test set, in one line: per level, how many images the network refined (the rest
 * got the Wiener filter alone, or were left as they are when too small to estimate). null for a blind model.
 */
export function describeRouteCounts(images: ReadonlyArray<{ level: string; route?: RestoreRoute }>): string | null {
  const aware = images.filter((i) => i.route?.kind === 'kernel-aware');
  if (aware.length === 0) return null;
  const levels = [...new Set(aware.map((i) => i.level))];
  const parts = levels.map((level) => {
    const at = aware.filter((i) => i.level === level);
    return `${level} ${at.filter((i) => i.route!.refined).length}/${at.length}`;
  });
  const unestimated = aware.filter((i) => i.route!.kernel === null).length;
  const small = unestimated > 0 ? `; ${unestimated} left as they are (smaller than 256×256, blur not estimated)` : '';
  return `kernel-aware model: images the network refined after the Wiener filter, per level: ${parts.join(', ')} (the others: the Wiener filter alone${small})`;
}
