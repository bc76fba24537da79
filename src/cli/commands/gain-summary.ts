import { gainVerdict, type EventPayload, type EvalFile } from '../../shared/contract';
import { fmtGain } from '../../engine/report/format';

/**
 * The CLI's headline for a model: its PSNR gain over the blurred input per blur level, and a warning when a
 * level loses (the model makes those photos worse). Train and eval print the same lines.
 */
export function gainSummary(levels: ReadonlyArray<{ label: string; gainDb: number | null }>, on: string): string[] {
  if (levels.length === 0) return [];
  const lines = [`gain over the blurred input (${on}): ${levels.map((l) => `${l.label} ${fmtGain(l.gainDb)} dB`).join(', ')}`];
  const losing = levels.filter((l) => gainVerdict(l.gainDb) === 'loss');
  if (losing.length > 0) {
    lines.push(`warning: worse than the blurred input at ${losing.map((l) => l.label).join(', ')}: the model makes these photos less sharp than they already were`);
  }
  return lines;
}

/** Per-level gains of a training validation (kernel order). */
export function validationLevels(v: EventPayload<'train.validation'>): Array<{ label: string; gainDb: number | null }> {
  const diff = (m: number | null, b: number | null) => (m === null || b === null ? null : m - b);
  if (v.byLevel.length === 0) return [{ label: 'all', gainDb: diff(v.psnr, v.identityPsnr) }];
  return [...v.byLevel].sort((a, b) => a.kernel - b.kernel).map((l) => ({ label: `k${l.kernel}`, gainDb: diff(l.psnr, l.identityPsnr) }));
}

/** Per-level gains of an evaluation. */
export function evaluationLevels(file: EvalFile): Array<{ label: string; gainDb: number | null }> {
  return file.summary.levels.map((l) => ({ label: l.level, gainDb: l.gainOverIdentityDb }));
}
