import { z } from 'zod';
import { imageDataUrlSchema } from './image-data-url';

/**
 * The evaluation file (`eval.json`) an `evaluate` job writes and a `report` job reads. Versioned:
 * a reader refuses a format or version it does not know instead of guessing.
 *
 * PSNR of an image identical to its reference is +∞, which JSON cannot hold: it is written as the
 * string "Infinity" (as in test/fixtures/metrics/expected.json) and read back as Infinity.
 */
export const EVAL_FORMAT = 'deblur-studio/evaluation';
export const EVAL_VERSION = 1;

const psnrValue = z.union([z.number(), z.literal('Infinity')]).transform((v) => (v === 'Infinity' ? Infinity : v));

export const scoreSchema = z.strictObject({
  psnr: psnrValue,
  /** null for images smaller than SSIM's 7×7 window */
  ssim: z.number().nullable(),
});

export const imageRowSchema = z.strictObject({
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
  model: scoreSchema,
  identity: scoreSchema,
  wiener: scoreSchema.nullable(),
  /** model time for this image, milliseconds */
  ms: z.number(),
});

export const psnrSummarySchema = z.strictObject({
  meanDb: z.number().nullable(),
  finite: z.number().int(),
  identical: z.number().int(),
  total: z.number().int(),
});

export const methodSummarySchema = z.strictObject({
  psnr: psnrSummarySchema,
  ssim: z.number().nullable(),
});

export const levelSummarySchema = z.strictObject({
  level: z.string(),
  kernel: z.number().int().nullable(),
  sigma: z.number().nullable(),
  images: z.number().int(),
  model: methodSummarySchema,
  identity: methodSummarySchema,
  wiener: methodSummarySchema.nullable(),
  /** mean over images of (model − identity) PSNR, both finite; null when there are none */
  gainOverIdentityDb: z.number().nullable(),
  gainOverWienerDb: z.number().nullable(),
});

export const exampleSchema = z.strictObject({
  kind: z.enum(['best', 'worst']),
  name: z.string(),
  level: z.string(),
  gainDb: z.number(),
  modelPsnr: psnrValue,
  identityPsnr: psnrValue,
  crop: z.strictObject({ x: z.number().int(), y: z.number().int(), width: z.number().int(), height: z.number().int() }),
  /** data URLs (PNG, JPEG or WebP, base64) of the same crop; anything else is refused: the report shows them */
  blurred: imageDataUrlSchema,
  model: imageDataUrlSchema,
  wiener: imageDataUrlSchema.nullable(),
  sharp: imageDataUrlSchema,
});

export const historyPointSchema = z.strictObject({ step: z.number(), loss: z.number().nullable() });
export const validationPointSchema = z.strictObject({
  step: z.number(),
  psnr: z.number().nullable(),
  identityPsnr: z.number().nullable(),
  ssim: z.number().nullable(),
});

export const evalFileSchema = z.strictObject({
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
        steps: z.array(historyPointSchema),
        validation: z.array(validationPointSchema),
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
  images: z.array(imageRowSchema),
  summary: z.strictObject({ levels: z.array(levelSummarySchema), overall: levelSummarySchema }),
  examples: z.array(exampleSchema),
  skipped: z.array(z.strictObject({ path: z.string(), reason: z.string() })),
});

/** The file as read back (PSNR infinities restored). */
export type EvalFile = z.output<typeof evalFileSchema>;
export type ImageRow = z.output<typeof imageRowSchema>;
export type Score = z.output<typeof scoreSchema>;
export type LevelSummary = z.output<typeof levelSummarySchema>;
export type MethodSummary = z.output<typeof methodSummarySchema>;
export type Example = z.output<typeof exampleSchema>;
export type TrainingInfo = NonNullable<EvalFile['meta']['training']>;

/** JSON text of an evaluation, with +∞ written as "Infinity". */
export function serializeEval(file: EvalFile): string {
  return `${JSON.stringify(file, (_key, value: unknown) => (value === Infinity ? 'Infinity' : value), 2)}\n`;
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
  const head = json as { format?: unknown; version?: unknown } | null;
  if (!head || head.format !== EVAL_FORMAT) throw new Error(`${where} is not an evaluation of this app (format is not "${EVAL_FORMAT}")`);
  if (head.version !== EVAL_VERSION) {
    const version = typeof head.version === 'number' ? String(head.version) : 'of another kind';
    throw new Error(`${where} has version ${version}; this app reads version ${EVAL_VERSION}`);
  }
  const parsed = evalFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${where} is damaged: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}
