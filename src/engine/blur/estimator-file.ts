import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BINS, FEATURES, TILE } from './spectrum-features';
import { firstIssue } from '../../shared/contract';

/** The shipped blur estimator (resources/models/blur-estimator/estimator.json), validated when read. */

const matrix = z.array(z.array(z.number()));
const qda = z.strictObject({
  mean: z.array(z.number()).length(FEATURES),
  scale: z.array(z.number().positive()).length(FEATURES),
  classes: z.array(z.strictObject({ label: z.number(), mean: z.array(z.number()).length(FEATURES), inverse: matrix, logDet: z.number() })).min(2),
});

export const estimatorFile = z.strictObject({
  format: z.literal('deblur-studio/blur-estimator@1'),
  features: z.strictObject({ tile: z.literal(TILE), bins: z.literal(BINS) }),
  /** which of the course's three kernels (label = kernel size) */
  levels: qda,
  /** σ on a grid (label = σ): the estimate is the posterior-weighted geometric mean */
  sigma: qda,
  trainedOn: z.strictObject({ photos: z.array(z.string()), samples: z.number().int(), note: z.string() }),
});
export type EstimatorFile = z.output<typeof estimatorFile>;

export function readEstimatorFile(file: string): EstimatorFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`blur estimator ${file}: cannot read it as JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = estimatorFile.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`blur estimator ${file}: ${firstIssue(parsed.error, '(root)') ?? 'invalid'}`);
  }
  return parsed.data;
}
