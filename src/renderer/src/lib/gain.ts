import { BLUR_LEVELS, gainVerdict, type EventPayload } from '../../../shared/contract';

/** One blur level's gain over the blurred input, as the Train and Evaluate headlines show it. */
export interface LevelGain {
  label: string;
  /** model − blurred input, dB; null when unknown (no validation yet, or only identical images) */
  gainDb: number | null;
  modelDb: number | null;
  blurredDb: number | null;
}

/** A blur level on screen: "σ 1.6 (11 px)" when its σ is known, else its kernel size or folder name. */
export function blurLabel(kernel: number | null, sigma: number | null = null, fallback = '?'): string {
  const s = sigma ?? (kernel !== null ? (BLUR_LEVELS as Record<number, number>)[kernel] ?? null : null);
  if (kernel === null) return sigma !== null ? `σ ${sigma}` : fallback;
  return s !== null ? `σ ${s} (${kernel} px)` : `${kernel} px`;
}

/** "+1.23 dB" / "−0.40 dB" (a real minus sign) / "—". */
export function formatGain(db: number | null): string {
  if (db === null || !Number.isFinite(db)) return '—';
  return `${db >= 0 ? '+' : '−'}${Math.abs(db).toFixed(2)} dB`;
}

/** The levels where the model makes photos worse than the blurred input. */
export const losingLevels = (levels: readonly LevelGain[]): LevelGain[] => levels.filter((l) => gainVerdict(l.gainDb) === 'loss');

/** Per-level gains of one validation (the training's numbers); the overall line when the engine reports no levels. */
export function validationGains(v: EventPayload<'train.validation'>): LevelGain[] {
  const diff = (m: number | null, b: number | null) => (m === null || b === null ? null : m - b);
  if (v.byLevel.length === 0) return [{ label: 'all levels', gainDb: diff(v.psnr, v.identityPsnr), modelDb: v.psnr, blurredDb: v.identityPsnr }];
  return [...v.byLevel]
    .sort((a, b) => a.kernel - b.kernel)
    .map((l) => ({ label: blurLabel(l.kernel), gainDb: diff(l.psnr, l.identityPsnr), modelDb: l.psnr, blurredDb: l.identityPsnr }));
}
