import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { firstIssue, trainParams, type JobParams } from '../../shared/contract';
import { writeFileAtomic } from '../fs/atomic';
import { acquireFolderLock, describeHolder } from '../fs/lock';
import { HISTORY_FILE } from './history';

/**
 * The folder of one training run, `<runsDir>/<run>/`:
 *   config.json           what was asked for (the validated train parameters) and derived sizes
 *   history.jsonl         the chart events (history.ts)
 *   checkpoints/last/     the latest state (model + optimizer + schedule + counters)
 *   checkpoints/best/     the state with the best validation PSNR so far
 *   .train.lock           held while a train or resume job writes the run (one writer per run)
 */
export const CONFIG_FILE = 'config.json';
export const RUN_LOCK_FILE = '.train.lock';
export const CHECKPOINTS_DIR = 'checkpoints';
export type CheckpointKind = 'last' | 'best';

export const runConfigSchema = z.strictObject({
  format: z.literal('deblur-studio/train-run'),
  version: z.literal(1),
  params: trainParams,
  createdAt: z.string(),
  /** optimizer steps per epoch and in the whole run, fixed at the start so resume keeps the same plan */
  stepsPerEpoch: z.number().int().positive(),
  totalSteps: z.number().int().positive(),
  validateEvery: z.number().int().positive(),
  /** data set facts at the start, to notice a data set changed under a resumed run */
  dataset: z.strictObject({
    trainImages: z.number().int(),
    valImages: z.number().int(),
    levels: z.array(z.number().int()),
    /** kernel size → σ of each level (absent from runs made before kernel-aware models) */
    sigmas: z.record(z.string(), z.number()).optional(),
  }),
  app: z.strictObject({ version: z.string(), backend: z.string() }),
});
export type RunConfig = z.infer<typeof runConfigSchema>;
export type TrainParams = JobParams<'train'>;

export const runPaths = (runDir: string) => ({
  config: path.join(runDir, CONFIG_FILE),
  history: path.join(runDir, HISTORY_FILE),
  checkpoints: path.join(runDir, CHECKPOINTS_DIR),
  checkpoint: (kind: CheckpointKind) => path.join(runDir, CHECKPOINTS_DIR, kind),
});

export async function writeRunConfig(runDir: string, config: RunConfig): Promise<void> {
  await writeFileAtomic(runPaths(runDir).config, `${JSON.stringify(config, null, 2)}\n`);
}

/** The run's config; a specific error when the folder is not a run or the file is damaged. */
export async function readRunConfig(runDir: string): Promise<RunConfig> {
  const file = runPaths(runDir).config;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${runDir} is not a training run folder (no ${CONFIG_FILE})`);
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON (damaged run folder?)`);
  }
  const parsed = runConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error);
    throw new Error(`${file} is not a run config of this app${issue ? ` (${issue})` : ''}`);
  }
  return parsed.data;
}

/**
 * Makes sure only one training writes `runDir` (which must exist): a second train or resume of the
 * same run, in this process or another, is refused with the run and the pid that trains it. A lock
 * left by a killed training is taken over.
 */
export function lockRunDir(runDir: string, run: string): Promise<() => Promise<void>> {
  return acquireFolderLock(runDir, {
    file: RUN_LOCK_FILE,
    refusal: (holder, file) =>
      `the run "${run}" in ${runDir} is being trained right now by another job (${describeHolder(holder)}); ` +
      `wait for it to finish or stop it, or choose another run name (if that job is known to be gone, delete ${file})`,
  });
}

export async function pathExists(p: string): Promise<boolean> {
  return fs
    .stat(p)
    .then(() => true)
    .catch(() => false);
}
