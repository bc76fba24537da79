import { z } from 'zod';
import { architectureSchema } from '../../export/pytorch/architecture';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, trainConfigSchema } from '../../export/pytorch/format';
import { runConfigSchema } from '../../train/run-dir';
import { trainCountersShape } from '../../train/checkpoint-state';
import { isTensor, type PtTensor, type PtValue } from './unpickle';
import { PtFileError } from './zip-entries';
import { firstIssue } from '../../../shared/contract';

/** What train.py's torch.save writes (its checkpoint_of), checked field by field; tensors are checked by the importer against the model. */
const tensor = z.custom<PtTensor>((v) => isTensor(v), 'a float32 tensor');
const stateSchema = z.object({ ...trainCountersShape, targetStep: z.number().int().optional() });
export const ptCheckpointSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(CHECKPOINT_VERSION),
  architecture: architectureSchema,
  trainConfig: trainConfigSchema,
  runConfig: runConfigSchema.nullable(),
  /** kernel size → σ of the levels of the data train.py trained on (absent from older train.py files) */
  sigmas: z.record(z.string(), z.number()).optional(),
  model: z.record(z.string(), tensor),
  adam: z.object({
    iterations: z.number().int().nonnegative(),
    beta1: z.number(),
    beta2: z.number(),
    epsilon: z.number(),
    lr: z.number(),
    moments: z.record(z.string(), z.object({ m: tensor, v: tensor })),
  }),
  state: stateSchema,
  history: z.string(),
});
export type PtCheckpoint = z.infer<typeof ptCheckpointSchema>;

/** The checkpoint in `value`, or an error naming the file and the first field that does not fit (another format or version first). */
export function checkpointContent(value: PtValue, file: string): PtCheckpoint {
  const o = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  if (o.format !== CHECKPOINT_FORMAT || o.version !== CHECKPOINT_VERSION) {
    throw new PtFileError(
      `${file} is format ${JSON.stringify(o.format ?? null)} version ${JSON.stringify(o.version ?? null)}; this app imports "${CHECKPOINT_FORMAT}" version ${CHECKPOINT_VERSION} (the .pt files the exported train.py writes)`,
      file,
    );
  }
  const parsed = ptCheckpointSchema.safeParse(value);
  if (!parsed.success) {
    throw new PtFileError(`${file} is not a complete checkpoint of the exported train.py (${firstIssue(parsed.error) ?? 'invalid'})`, file);
  }
  return parsed.data;
}
