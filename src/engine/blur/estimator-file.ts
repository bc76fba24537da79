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
  /**
   * The mild-blur detector (label 0: nearly sharp, 3×3 σ 0.3; label 1: mildly blurred, σ 0.55 or 0.7, never 0.6),
   * for photos the level classifier calls nearly sharp: a log odds above `threshold` says the photo is blurred past
   * σ 0.3. The threshold is the highest log odds any σ 0.3 training frame got from a detector fitted without its
   * photo, plus a margin, so a nearly sharp photo is not deconvolved. Absent from older estimator files: no detection.
   */
  mild: z.strictObject({ qda, threshold: z.number() }).optional(),
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
