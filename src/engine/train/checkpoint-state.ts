import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { scheduleStateSchema } from './schedules';
import { firstIssue } from '../../shared/contract';

/**
 * A checkpoint's `state.json`: the counters and small state that, with the model and the optimizer
 * state, continue a run exactly. Kept apart from checkpoint.ts so that listing runs reads it
 * without loading TensorFlow.js.
 */
export const STATE_FILE = 'state.json';

/**
 * The run's counters and small state, field by field: what a checkpoint's state.json holds besides
 * its format stamp, and what train.py saves in its .pt checkpoints (read by the PyTorch importer).
 */
export const trainCountersShape = {
  /** optimizer steps done */
  step: z.number().int().nonnegative(),
  samplesSeen: z.number().int().nonnegative(),
  /**
   * The data stream's position: the loader's epoch and next batch index. The loader draws order,
   * crops and flips from a PRNG seeded by (seed, epoch), so this is its complete random state.
   */
  data: z.strictObject({ epoch: z.number().int().nonnegative(), batch: z.number().int().nonnegative() }),
  smoothedLoss: z.number().nullable(),
  /** learning rate of the last step */
  lr: z.number(),
  schedule: scheduleStateSchema,
  bestPsnr: z.number().nullable(),
  bestStep: z.number().int().nullable(),
  lastValidation: z.strictObject({ step: z.number().int(), loss: z.number(), psnr: z.number().nullable() }).nullable(),
  /** seconds spent training (steps and validations), summed over sessions */
  trainSeconds: z.number().nonnegative(),
};

export const checkpointStateSchema = z.strictObject({
  format: z.literal('deblur-studio/train-checkpoint'),
  version: z.literal(1),
  ...trainCountersShape,
  savedAt: z.string(),
});
export type CheckpointState = z.infer<typeof checkpointStateSchema>;

/** The state of a run before its first step, at `lr` under `schedule`. */
export function freshCheckpointState(lr: number, schedule: CheckpointState['schedule'], savedAt: string): CheckpointState {
  return {
    format: 'deblur-studio/train-checkpoint',
    version: 1,
    step: 0,
    samplesSeen: 0,
    data: { epoch: 0, batch: 0 },
    smoothedLoss: null,
    lr,
    schedule,
    bestPsnr: null,
    bestStep: null,
    lastValidation: null,
    trainSeconds: 0,
    savedAt,
  };
}

export async function readCheckpointState(dir: string): Promise<CheckpointState> {
  const file = path.join(dir, STATE_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing ? `${dir} holds no checkpoint (no ${STATE_FILE})` : `cannot read ${file}: ${(err as Error).message}`);
  }
  const parsed = checkpointStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error);
    throw new Error(`${file} is not a checkpoint state of this app${issue ? ` (${issue})` : ''}`);
  }
  return parsed.data;
}

