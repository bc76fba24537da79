import { z } from 'zod';
import { imageDataUrlSchema } from './image-data-url';
import { blurEstimate, restoreRoute } from './jobs';
import { firstIssue } from './errors';

/**
 * The evaluation file (`eval.json`) an `evaluate` job writes and a `report` job, the CLI and the Evaluate
 * view read. Versioned: a reader refuses a format or version it does not know instead of guessing.
 *
 * PSNR of an image identical to its reference is +∞, which JSON cannot hold: it is stored as the string
 * "Infinity" (as in test/fixtures/metrics/expected.json). The schemas are declared once, for a PSNR value of
 * either form: `stored` (as in the file and on every JSON wire: WebSocket, the engine's child process) and
 * `read` (∞ restored as a number: what code computes with).
 */
export const EVAL_FORMAT = 'deblur-studio/evaluation';
export const EVAL_VERSION = 1;

const psnrStored = z.union([z.number(), z.literal('Infinity')]);
const psnrRead = psnrStored.transform((v) => (v === 'Infinity' ? Infinity : v));

function evalSchemas<P extends z.ZodType>(psnrValue: P) {
  const score = z.strictObject({
    psnr: psnrValue,
    /** null for images smaller than SSIM's 7×7 window */
    ssim: z.number().nullable(),
  });
  const imageRow = z.strictObject({
    /** path of the sharp image relative to its folder, without extension: what matches the pairs */
    name: z.string(),
    /** the blurred folder's name: blur_k3, blur_k7, blur_k11, blur … */
    level: z.string(),
    kernel: z.number().int().nullable(),
    sigma: z.number().nullable(),
    width: z.number().int(),
    height: z.number().int(),
    blurred: z.string(),
    sharp: z.string(),
    model: score,
    identity: score,
    wiener: score.nullable(),
    /** model time for this image, milliseconds */
    ms: z.number(),
    /** the blur estimator's reading of the blurred input; null when it is smaller than one tile (and in files that predate it) */
    blur: blurEstimate.nullable().default(null),
    /** how the model restored it (kernel-aware: Wiener kernel used and whether the network refined); absent from older files */
    route: restoreRoute.optional(),
  });
  const psnrSummary = z.strictObject({
    meanDb: z.number().nullable(),
    finite: z.number().int(),
    identical: z.number().int(),
    total: z.number().int(),
  });
  const methodSummary = z.strictObject({ psnr: psnrSummary, ssim: z.number().nullable() });
  const levelSummary = z.strictObject({
    level: z.string(),
    kernel: z.number().int().nullable(),
    sigma: z.number().nullable(),
    images: z.number().int(),
    model: methodSummary,
    identity: methodSummary,
    wiener: methodSummary.nullable(),
    /** mean over images of (model − identity) PSNR, both finite; null when there are none */
    gainOverIdentityDb: z.number().nullable(),
    gainOverWienerDb: z.number().nullable(),
  });
  const count = z.number().int().min(0);
  /** Estimated vs true blur level over the images whose level is one of the course's three (issue 13). */
  const blurEstimation = z.strictObject({
    /** the order of the confusion table's rows and columns */
    levels: z.tuple([z.literal(3), z.literal(7), z.literal(11)]),
    /** confusion[true level][estimated level]: image counts, in `levels` order */
    confusion: z.array(z.array(count).length(3)).length(3),
    correct: count,
    /** images of a known level that were estimated (the table's sum) */
    total: count,
    /** images of a known level too small for the estimator (left out of the table) */
    notEstimated: count,
    /** correct / total; null when total is 0 */
    accuracy: z.number().min(0).max(1).nullable(),
  })
  // the report shows the table and its totals side by side: they must agree
  .superRefine((b, ctx) => {
    const sum = b.confusion.flat().reduce((n, v) => n + v, 0);
    const diagonal = b.confusion.reduce((n, row, i) => n + (row[i] ?? 0), 0);
    if (sum !== b.total) ctx.addIssue({ code: 'custom', path: ['total'], message: `is ${b.total} but the confusion table holds ${sum}` });
    if (diagonal !== b.correct) ctx.addIssue({ code: 'custom', path: ['correct'], message: `is ${b.correct} but the table's diagonal holds ${diagonal}` });
    const accuracy = b.total > 0 ? b.correct / b.total : null;
    if (accuracy === null ? b.accuracy !== null : b.accuracy === null || Math.abs(b.accuracy - accuracy) > 1e-9) {
      ctx.addIssue({ code: 'custom', path: ['accuracy'], message: `is not correct / total (${accuracy ?? 'null'})` });
    }
  });
  const example = z.strictObject({
    kind: z.enum(['best', 'worst']),
    name: z.string(),
    level: z.string(),
    gainDb: z.number(),
    modelPsnr: psnrValue,
    identityPsnr: psnrValue,
    crop: z.strictObject({ x: z.number().int(), y: z.number().int(), width: z.number().int(), height: z.number().int() }),
    /** data URLs (PNG, JPEG or WebP, base64) of the same crop; anything else is refused: the report and the app show them */
    blurred: imageDataUrlSchema,
    model: imageDataUrlSchema,
    wiener: imageDataUrlSchema.nullable(),
    sharp: imageDataUrlSchema,
  });
  const historyPoint = z.strictObject({ step: z.number(), loss: z.number().nullable() });
  const validationPoint = z.strictObject({
    step: z.number(),
    psnr: z.number().nullable(),
    identityPsnr: z.number().nullable(),
    ssim: z.number().nullable(),
  });
  const file = z.strictObject({
    format: z.literal(EVAL_FORMAT),
    version: z.literal(EVAL_VERSION),
    meta: z.strictObject({
      createdAt: z.string(),
      app: z.strictObject({ name: z.string(), version: z.string() }),
      backend: z.string(),
      seconds: z.number(),
      model: z.strictObject({
        requested: z.string(),
        dir: z.string(),
        name: z.string(),
        /** the zoo's description of the architecture and preset, when the model can be traced to it */
        architecture: z.string().nullable(),
        params: z.number().int(),
        layers: z.number().int(),
        input: z.strictObject({
          fixed: z.strictObject({ width: z.number().int(), height: z.number().int() }).nullable(),
          multipleOf: z.number().int().nullable(),
        }),
        metadata: z.record(z.string(), z.unknown()),
        runDir: z.string().nullable(),
        checkpoint: z.enum(['best', 'last']).nullable(),
      }),
      /** the training run's config and curves, when the model came from a run */
      training: z
        .strictObject({
          config: z.record(z.string(), z.unknown()).nullable(),
          steps: z.array(historyPoint),
          validation: z.array(validationPoint),
        })
        .nullable(),
      testSet: z.strictObject({ path: z.string(), layout: z.enum(['prepared', 'levels', 'course']) }),
      settings: z.strictObject({
        tile: z.number().int(),
        overlap: z.number().int(),
        metrics: z.string(),
        wiener: z.strictObject({ method: z.string(), k: z.record(z.string(), z.number()), block: z.number().int(), margin: z.number().int() }),
      }),
    }),
    images: z.array(imageRow),
    summary: z.strictObject({
      levels: z.array(levelSummary),
      overall: levelSummary,
      /** null when no image's level is known (course layout) and in files that predate it */
      blurEstimation: blurEstimation.nullable().default(null),
    }),
    examples: z.array(example),
    skipped: z.array(z.strictObject({ path: z.string(), reason: z.string() })),
  });
  return { score, imageRow, psnrSummary, methodSummary, levelSummary, blurEstimation, example, historyPoint, validationPoint, file };
}

const read = evalSchemas(psnrRead);
/** The file as stored and as carried by `evaluation.read` (∞ is "Infinity"): every JSON hop keeps it intact. */
export const storedEvalFileSchema = evalSchemas(psnrStored).file;

export const scoreSchema = read.score;
export const imageRowSchema = read.imageRow;
export const psnrSummarySchema = read.psnrSummary;
export const methodSummarySchema = read.methodSummary;
export const levelSummarySchema = read.levelSummary;
export const blurEstimationSchema = read.blurEstimation;
export const exampleSchema = read.example;
export const historyPointSchema = read.historyPoint;
export const validationPointSchema = read.validationPoint;
/** The file as read back (PSNR infinities restored). */
export const evalFileSchema = read.file;

export type EvalFile = z.output<typeof evalFileSchema>;
export type StoredEvalFile = z.output<typeof storedEvalFileSchema>;
export type ImageRow = z.output<typeof imageRowSchema>;
export type Score = z.output<typeof scoreSchema>;
export type LevelSummary = z.output<typeof levelSummarySchema>;
export type MethodSummary = z.output<typeof methodSummarySchema>;
export type Example = z.output<typeof exampleSchema>;
export type BlurEstimation = z.output<typeof blurEstimationSchema>;
/** The course's levels in the confusion table's order. */
export const CONFUSION_LEVELS = [3, 7, 11] as const;
export type TrainingInfo = NonNullable<EvalFile['meta']['training']>;

/** JSON text of an evaluation, with +∞ written as "Infinity". */
export function serializeEval(file: EvalFile): string {
  return `${JSON.stringify(file, (_key, value: unknown) => (value === Infinity ? 'Infinity' : value), 2)}\n`;
}

/** The stored form of an evaluation (what `evaluation.read` carries). */
export function storeEval(file: EvalFile): StoredEvalFile {
  return JSON.parse(serializeEval(file)) as StoredEvalFile;
}

function damaged(where: string, error: z.ZodError): Error {
  return new Error(`${where} is damaged: ${firstIssue(error) ?? 'invalid'}`);
}

/** Validates an evaluation already parsed from JSON (a file's content, or `evaluation.read`'s answer); errors name the field. */
export function decodeEval(json: unknown, where = 'evaluation file'): EvalFile {
  const head = json as { format?: unknown; version?: unknown } | null;
  if (!head || typeof head !== 'object' || head.format !== EVAL_FORMAT) throw new Error(`${where} is not an evaluation of this app (format is not "${EVAL_FORMAT}")`);
  if (head.version !== EVAL_VERSION) {
    const version = typeof head.version === 'number' ? String(head.version) : 'of another kind';
    throw new Error(`${where} has version ${version}; this app reads version ${EVAL_VERSION}`);
  }
  const parsed = evalFileSchema.safeParse(json);
  if (!parsed.success) throw damaged(where, parsed.error);
  return parsed.data;
}

/** Parses and validates an evaluation file's text; errors say which field is wrong. */
export function parseEval(text: string, where = 'evaluation file'): EvalFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the text around the error: keep only the position, so no file's contents reach a message
    const at = /at position (\d+)/.exec((err as Error).message)?.[1];
    throw new Error(`${where} is not valid JSON${at === undefined ? '' : ` (at position ${at})`}`);
  }
  return decodeEval(json, where);
}

/** Mean of a − b over pairs where both are finite; null when there is no such pair. */
export function meanGain(pairs: ReadonlyArray<readonly [number, number]>): number | null {
  let sum = 0;
  let n = 0;
  for (const [a, b] of pairs) {
    if (Number.isFinite(a) && Number.isFinite(b)) {
      sum += a - b;
      n++;
    }
  }
  return n > 0 ? sum / n : null;
}

/** PSNR gain of the model over the blurred input for one image; null when either is infinite. */
export function imageGain(row: Pick<ImageRow, 'model' | 'identity'>): number | null {
  return Number.isFinite(row.model.psnr) && Number.isFinite(row.identity.psnr) ? row.model.psnr - row.identity.psnr : null;
}

/** Below this a gain counts as a loss: the model makes photos worse than the blurred input (shown as a warning). */
export const GAIN_TOLERANCE_DB = 0.005;
/** 'gain' (better than the blurred input), 'loss' (worse: warn), 'even' (within ±0.005 dB) or null (unknown). */
export function gainVerdict(gainDb: number | null): 'gain' | 'loss' | 'even' | null {
  if (gainDb === null || !Number.isFinite(gainDb)) return null;
  return gainDb >= GAIN_TOLERANCE_DB ? 'gain' : gainDb <= -GAIN_TOLERANCE_DB ? 'loss' : 'even';
}
