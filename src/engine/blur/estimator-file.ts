import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BINS, FEATURES, TILE } from './spectrum-features';
import { firstIssue } from '../../shared/contract';

/** The shipped blur estimator (resources/models/blur-estimator/estimator.json), validated when read. */

const vector = z.array(z.number());
const qdaShape = z.strictObject({
  mean: vector,
  scale: z.array(z.number().positive()),
  classes: z.array(z.strictObject({ label: z.number(), mean: vector, inverse: z.array(vector), logDet: z.number() })).min(2),
});
type QdaShape = z.output<typeof qdaShape>;

/** Where a QDA's vectors and matrices are not all `n` long, the first such field (for the error). */
function wrongLength(q: QdaShape, n: number): { path: Array<string | number>; length: number } | null {
  const fields: Array<[Array<string | number>, number]> = [
    [['mean'], q.mean.length],
    [['scale'], q.scale.length],
    ...q.classes.flatMap((c, i): Array<[Array<string | number>, number]> => [
      [['classes', i, 'mean'], c.mean.length],
      [['classes', i, 'inverse'], c.inverse.length],
      ...c.inverse.map((row, j): [Array<string | number>, number] => [['classes', i, 'inverse', j], row.length]),
    ]),
  ];
  const bad = fields.find(([, length]) => length !== n);
  return bad ? { path: bad[0], length: bad[1] } : null;
}

/** A QDA over the whole spectrum vector. */
const qda = qdaShape.superRefine((q, ctx) => {
  const bad = wrongLength(q, FEATURES);
  if (bad) ctx.addIssue({ code: 'custom', path: bad.path, message: `has ${bad.length} entries instead of ${FEATURES}` });
});

/**
 * The mild-blur detector (label 0: nearly sharp, 3×3 σ 0.3; label 1: mildly blurred, σ 0.55 or 0.7, never 0.6),
 * for photos the level classifier calls nearly sharp: a log odds above `threshold` says the photo is blurred past
 * σ 0.3. The threshold is the highest log odds any σ 0.3 training frame got from a detector fitted without its
 * photo, plus a margin, so a nearly sharp photo is not deconvolved. `features`: which entries of the spectrum
 * vector it reads (absent: all of them). Absent from older estimator files: no detection.
 */
const mildDetector = z
  .strictObject({ qda: qdaShape, threshold: z.number(), features: z.array(z.number().int().min(0).max(FEATURES - 1)).min(1).optional() })
  .superRefine((m, ctx) => {
    const n = m.features?.length ?? FEATURES;
    const bad = wrongLength(m.qda, n);
    if (bad) ctx.addIssue({ code: 'custom', path: ['qda', ...bad.path], message: `has ${bad.length} entries instead of ${n} (one per feature read)` });
  });

export const estimatorFile = z.strictObject({
  format: z.literal('deblur-studio/blur-estimator@1'),
  features: z.strictObject({ tile: z.literal(TILE), bins: z.literal(BINS) }),
  /** which of the course's three kernels (label = kernel size) */
  levels: qda,
  /** σ on a grid (label = σ): the estimate is the posterior-weighted geometric mean */
  sigma: qda,
  mild: mildDetector.optional(),
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
