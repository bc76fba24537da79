import { decodeEval, type DeblurApi, type EvalFile, type ImageRow, type LevelSummary } from '../../../shared/contract';
import { blurLabel, type LevelGain } from './gain';

/**
 * Presentation helpers for an evaluation file (the contract's EvalFile, src/shared/contract/evaluation.ts).
 * The renderer cannot read files: `evaluation.read` answers the file's stored form, which the contract's
 * schema decodes here (PSNR "Infinity" → ∞) exactly as the engine, the CLI and the report read it.
 */
export async function loadEvaluation(api: DeblurApi, path: string): Promise<EvalFile> {
  return decodeEval(await api.call('evaluation.read', { path }), path);
}

/** How a blur level is named on screen: its kernel size when known, else its folder's name. */
export const levelName = (l: Pick<ImageRow | LevelSummary, 'level' | 'kernel'>): string => (l.kernel !== null ? `${l.kernel} px` : l.level);

/** The gain over the blurred input per blur level, for the headline (GainHeadline.svelte). */
export function evaluationGains(file: EvalFile): LevelGain[] {
  return file.summary.levels.map((l) => ({
    label: blurLabel(l.kernel, l.sigma, l.level),
    gainDb: l.gainOverIdentityDb,
    modelDb: l.model.psnr.meanDb,
    blurredDb: l.identity.psnr.meanDb,
  }));
}
