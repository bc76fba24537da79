import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HISTORY_FILE, readHistoryFile } from '../train/history';
import { CONFIG_FILE } from '../train/run-dir';
import type { TrainingInfo } from './eval-schema';

/** Training curves are thinned to this many points: enough for a chart, small in the JSON. */
export const MAX_CURVE_POINTS = 400;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Every n-th point, always keeping the last, so a long run's curve fits in `max` points. */
export function thin<T>(points: readonly T[], max = MAX_CURVE_POINTS): T[] {
  if (points.length <= max) return [...points];
  // Indices 0, s, 2s, … ≤ n − 1 are at most max − 1 + 1 points; the last is added only when not among them.
  const stride = Math.ceil((points.length - 1) / (max - 1));
  const out = points.filter((_, i) => i % stride === 0);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]!);
  return out;
}

/**
 * The run's config.json and its loss / validation curves from history.jsonl, for the report's model
 * card and training chart. A run folder with neither gives null; damaged lines are skipped.
 */
export async function readTrainingInfo(runDir: string): Promise<TrainingInfo | null> {
  let config: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(path.join(runDir, CONFIG_FILE), 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) config = parsed as Record<string, unknown>;
  } catch {
    config = null;
  }
  const history = await readHistoryFile(path.join(runDir, HISTORY_FILE)).catch(() => []);
  const steps: TrainingInfo['steps'] = [];
  const validation: TrainingInfo['validation'] = [];
  for (const { event, payload } of history) {
    const step = num(payload.step);
    if (step === null) continue;
    if (event === 'train.step') steps.push({ step, loss: num(payload.smoothedLoss) ?? num(payload.loss) });
    else if (event === 'train.validation') {
      validation.push({ step, psnr: num(payload.psnr), identityPsnr: num(payload.identityPsnr), ssim: num(payload.ssim) });
    }
  }
  if (!config && steps.length === 0 && validation.length === 0) return null;
  return { config, steps: thin(steps), validation: thin(validation) };
}
