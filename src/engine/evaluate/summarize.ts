import { meanSsim, summarizePsnr } from '../metrics';
import { meanGain, type BlurEstimation, type ImageRow, type LevelSummary, type MethodSummary, type Score } from '../../shared/contract/evaluation';
import { summarizeBlurEstimation } from './blur-confusion';

/** The one gain computation lives in the contract (the renderer and the report use it too). */
export { imageGain, meanGain } from '../../shared/contract/evaluation';

/**
 * Per-level and overall summaries of the per-image rows. PSNR means follow the ∞-aware rule of
 * metrics/aggregate.ts (identical pairs counted, left out of the mean); SSIM is a plain mean over the
 * images large enough to have one. A gain is the mean of per-image differences over the images where
 * both PSNRs are finite, so it compares the two methods on the same images.
 */

function methodSummary(scores: readonly Score[]): MethodSummary {
  return {
    psnr: summarizePsnr(scores.map((s) => s.psnr)),
    ssim: meanSsim(scores.map((s) => s.ssim).filter((v): v is number => v !== null)),
  };
}

export function summarizeRows(level: string, kernel: number | null, sigma: number | null, rows: readonly ImageRow[]): LevelSummary {
  // Wiener is summarised only when every image of the group has it, so its mean covers the same images.
  const allWiener = rows.length > 0 && rows.every((r) => r.wiener !== null);
  return {
    level,
    kernel,
    sigma,
    images: rows.length,
    model: methodSummary(rows.map((r) => r.model)),
    identity: methodSummary(rows.map((r) => r.identity)),
    wiener: allWiener ? methodSummary(rows.map((r) => r.wiener!)) : null,
    gainOverIdentityDb: meanGain(rows.map((r) => [r.model.psnr, r.identity.psnr] as const)),
    gainOverWienerDb: allWiener ? meanGain(rows.map((r) => [r.model.psnr, r.wiener!.psnr] as const)) : null,
  };
}

export function summarizeEvaluation(
  levels: ReadonlyArray<{ level: string; kernel: number | null; sigma: number | null }>,
  rows: readonly ImageRow[],
): { levels: LevelSummary[]; overall: LevelSummary; blurEstimation: BlurEstimation | null } {
  return {
    levels: levels.map((l) => summarizeRows(l.level, l.kernel, l.sigma, rows.filter((r) => r.level === l.level))),
    overall: summarizeRows('all', null, null, rows),
    blurEstimation: summarizeBlurEstimation(rows),
  };
}
