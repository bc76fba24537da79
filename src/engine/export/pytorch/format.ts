import { z } from 'zod';
import { checkpointStateSchema } from '../../train/checkpoint-state';
import { runConfigSchema } from '../../train/run-dir';
import { lossName } from '../../../shared/contract';
import { architectureSchema } from './architecture';

/**
 * export.json: what an export folder holds, read by model.py/train.py (written by this app) and checked
 * again when a folder comes back. One format and version; a folder of another one is refused by name.
 */
export const EXPORT_FORMAT = 'deblur-studio/pytorch-export';
export const EXPORT_VERSION = 1;
export const EXPORT_FILE = 'export.json';
export const WEIGHTS_FILE = 'weights.bin';
export const ADAM_FILE = 'optimizer.bin';
export const EXPORT_HISTORY_FILE = 'history.jsonl';
/** What train.py writes: torch.save'd dicts of this format, in --out as last.pt / best.pt. */
export const CHECKPOINT_FORMAT = 'deblur-studio/pytorch-checkpoint';
export const CHECKPOINT_VERSION = 1;
export const LAST_PT = 'last.pt';
export const BEST_PT = 'best.pt';

const tensorEntry = z.strictObject({ name: z.string(), shape: z.array(z.number().int().nonnegative()), offset: z.number().int().nonnegative() });
export type TensorEntry = z.infer<typeof tensorEntry>;

/** The training settings train.py follows (the run's, or defaults for a model without a run). */
export const trainConfigSchema = z.strictObject({
  name: z.string(),
  batch: z.number().int().positive(),
  patch: z.number().int().positive().nullable(),
  loss: lossName,
  levelWeights: z.record(z.string(), z.number()).nullable(),
  seed: z.number().int().nonnegative(),
  validateEvery: z.number().int().positive(),
  /** the run's steps per epoch (what the charts' epoch counts); null: the loader's batches per epoch */
  stepsPerEpoch: z.number().int().positive().nullable(),
});
export type TrainConfig = z.infer<typeof trainConfigSchema>;

/** The counters a run continues from: the app's checkpoint state without its file header. */
export const exportedStateSchema = checkpointStateSchema.omit({ format: true, version: true, savedAt: true });

export const exportJsonSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  createdAt: z.string(),
  app: z.strictObject({ version: z.string() }),
  source: z.strictObject({ requested: z.string(), dir: z.string(), runDir: z.string().nullable() }),
  architecture: architectureSchema,
  inputMultiple: z.number().int().positive(),
  weightsFile: z.literal(WEIGHTS_FILE),
  /** torch state_dict names and shapes (torch layout), float32 offsets into weights.bin */
  weights: z.array(tensorEntry),
  adam: z.strictObject({
    file: z.literal(ADAM_FILE),
    iterations: z.number().int().nonnegative(),
    beta1: z.number(),
    beta2: z.number(),
    epsilon: z.number(),
    lr: z.number(),
    /** "<param>/m" and "<param>/v" per parameter (empty for a model without optimizer state) */
    moments: z.array(tensorEntry),
  }),
  trainConfig: trainConfigSchema,
  /** the run's own config.json, when exported from a run (an import puts it back) */
  runConfig: runConfigSchema.nullable(),
  state: exportedStateSchema,
});
export type ExportJson = z.infer<typeof exportJsonSchema>;
