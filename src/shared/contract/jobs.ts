import { z } from 'zod';
import { absPath, blurKernel, fraction, modelRef, positiveInt, restorationKind, safeName } from './primitives';

/**
 * Every long-running engine job: its parameters (validated where they enter a process) and its result.
 * A job is started with `job.start { type, params }` and ends with a `job.finished` or `job.failed` event.
 */

export const selftestParams = z.strictObject({
  /** side of the square matrices multiplied per step */
  size: positiveInt(1024).default(128),
  steps: positiveInt(10_000).default(20),
});
export const selftestResult = z.strictObject({
  backend: z.string(),
  steps: z.number().int(),
  msPerStep: z.number(),
  checksum: z.number(),
});

export const scanParams = z.strictObject({
  folder: absPath,
});
export const skippedFile = z.strictObject({ path: z.string(), reason: z.string() });
export const scanResult = z.strictObject({
  folder: z.string(),
  images: z.number().int(),
  bySubfolder: z.array(z.strictObject({ folder: z.string(), images: z.number().int() })),
  skipped: z.array(skippedFile),
});

export const prepareParams = z
  .strictObject({
    source: absPath,
    output: absPath,
    fraction: fraction.refine((f) => f > 0, 'must be greater than 0').default(1),
    levels: z.array(blurKernel).min(1).max(3).default([3, 7, 11]),
    split: z.tuple([fraction, fraction, fraction]).default([0.8, 0.1, 0.1]),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
    width: positiveInt(8192).default(448),
    height: positiveInt(8192).default(256),
    /** stretch: the whole photo resized to width×height (the course's way); crop: the centred window of that aspect */
    fit: z.enum(['stretch', 'crop']).default('stretch'),
  })
  .refine((p) => Math.abs(p.split[0] + p.split[1] + p.split[2] - 1) < 1e-6, {
    message: 'ratios must add up to 1',
    path: ['split'],
  });
export const prepareResult = z.strictObject({
  output: z.string(),
  images: z.number().int(),
  written: z.number().int(),
  reused: z.number().int(),
  bySplit: z.record(z.string(), z.number().int()),
  skipped: z.array(skippedFile),
  /** photos whose orientation is the frame's other one (portrait photos for 448×256): stretched or cropped, per `fit` */
  portrait: z.number().int().default(0),
});

export const lossName = z.enum(['mse', 'l1', 'charbonnier', 'psnr']);
export const scheduleName = z.enum(['plateau', 'cosine', 'constant']);

export const trainParams = z.strictObject({
  dataset: absPath,
  runsDir: absPath,
  run: safeName,
  model: safeName.default('resunet'),
  preset: safeName.default('small'),
  epochs: positiveInt(100_000).default(10),
  batch: positiveInt(256).default(4),
  /** square crop side; null = full frame */
  patch: positiveInt(8192).nullable().default(128),
  stepsPerEpoch: positiveInt(10_000_000).nullable().default(null),
  lr: z.number().positive().max(1).default(1e-3),
  /** MSE by default: on sets that mix nearly sharp (σ 0.3) pairs in, L1-like losses stall at the identity (measured: resources/models/blind/MODEL_CARD.md) */
  loss: lossName.default('mse'),
  schedule: scheduleName.default('cosine'),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
  validateEvery: positiveInt(10_000_000).nullable().default(null),
  /** loss weight per blur level (kernel size → weight, e.g. {"3": 10}); levels not named weigh 1 */
  levelWeights: z.record(z.string().regex(/^[1-9][0-9]?$/, 'a blur kernel size'), z.number().positive().max(1000)).nullable().default(null),
  /** start from these weights instead of a fresh initialisation (fine-tuning): "default" or a model/run folder */
  init: modelRef.nullable().default(null),
});
/**
 * The learning rate a fine-tune (`init` set) starts with unless one is given: 1e-3, the default for new weights,
 * undoes the built-in model within 30 steps. Measured on 7 mate-backgrounds photos (224×128, 30 steps of 4 × 64²,
 * validation gain over the untouched model at σ 0.3 / 1.0 / 1.6): 1e-3 −10.4 / −0.20 / +0.15 dB, 3e-4 −3.1 / −0.11 / +0.20,
 * 1e-4 −1.9 / +0.16 / +0.42, 3e-5 −1.2 / +0.09 / +0.31 dB; 1e-4 had the lowest validation loss.
 */
export const FINE_TUNE_LR = 1e-4;
/** The learning rate a training starts with when none is chosen: the contract's default, or FINE_TUNE_LR for a fine-tune. */
export const defaultLearningRate = (init: string | null | undefined): number => (init ? FINE_TUNE_LR : (trainParams.shape.lr.def.defaultValue as number));
/**
 * Resume a run from its last checkpoint. `epochs` changes the run's length (its new total, counted from the run's
 * start, not from here): on a finished run it trains the extra epochs ("train N more epochs"), continuing the step
 * count, the data order and the schedule; unset keeps the run's plan.
 */
export const resumeParams = z.strictObject({ runDir: absPath, epochs: positiveInt(100_000).optional() });
export const trainResult = z.strictObject({
  runDir: z.string(),
  steps: z.number().int(),
  bestPsnr: z.number().nullable(),
  stopped: z.enum(['finished', 'stopped']),
});

export const outputFormat = z.enum(['same', 'png', 'jpeg']);
export type OutputFormat = z.infer<typeof outputFormat>;
export const deblurParams = z.strictObject({
  inputs: z.array(absPath).min(1).max(100_000),
  model: modelRef,
  outDir: absPath,
  format: outputFormat.default('same'),
  tile: positiveInt(4096).nullable().default(null),
  recursive: z.boolean().default(false),
  /** replace an earlier output of the same name (never the input); without it a free name is chosen */
  overwrite: z.boolean().default(false),
  /** leave a photo alone when its output name is already taken (a re-run of a batch); wins over `overwrite` */
  skipExisting: z.boolean().default(false),
  /**
   * The Gaussian σ the photos were blurred with, when the user knows it: a kernel-aware model undoes that blur (the
   * course's exact kernel at σ 0.3, 1.0 and 1.6, else OpenCV's kernel size for σ) instead of the estimated one, which
   * is still reported. A blind model has no use for it. null: estimated per photo.
   */
  blurSigma: z.number().min(0.1).max(5).nullable().default(null),
});
/** How blurred a photo looked to the blur estimator (src/engine/blur): σ, and the nearest of the course's levels. */
export const blurEstimate = z.strictObject({
  sigma: z.number().positive(),
  level: z.strictObject({ ksize: blurKernel, sigma: z.number().positive(), confidence: z.number().min(0).max(1) }),
  /**
   * The level is the nearly sharp 3×3 σ 0.3, yet the mild-blur detector reads the photo as blurred past it (about
   * σ 0.5–0.8): a kernel-aware model then undoes a mild Gaussian instead of leaving the photo as it is. Absent from
   * files written before the detector existed.
   */
  mildBlur: z.boolean().optional(),
});
export type BlurEstimate = z.output<typeof blurEstimate>;

/**
 * How a photo was restored: by a blind model, or (kernel-aware) by the Wiener filter with the kernel named, then
 * refined by the network where the model was validated to improve on the filter at that blur (refined), kept as
 * the filter made it where not. kernel null: the blur could not be estimated (the photo is smaller than the
 * estimator's tile), so the photo is returned as it is.
 */
export const restoreRoute = z.strictObject({
  kind: restorationKind,
  kernel: z.strictObject({ ksize: z.number().int().positive(), sigma: z.number().positive() }).nullable(),
  /** the network ran (always, for a blind model) */
  refined: z.boolean(),
});
export type RestoreRoute = z.output<typeof restoreRoute>;

export const deblurResult = z.strictObject({
  outputs: z.array(
    z.strictObject({
      input: z.string(),
      output: z.string(),
      width: z.number(),
      height: z.number(),
      ms: z.number(),
      /** null for a photo smaller than the estimator's 256×256 tile */
      blur: blurEstimate.nullable().default(null),
      /** absent from engines that predate kernel-aware models */
      route: restoreRoute.optional(),
    }),
  ),
  skipped: z.array(skippedFile),
});

export const evaluateParams = z.strictObject({
  testSet: absPath,
  model: modelRef,
  out: absPath,
  /** replace an existing file at `out` (asked for by the user); without it an existing file is refused before any work */
  overwrite: z.boolean().default(false),
});
export const evaluateResult = z.strictObject({ out: z.string(), images: z.number().int(), skipped: z.array(skippedFile) });

export const reportParams = z
  .strictObject({
    evalJson: absPath,
    html: absPath.optional(),
    csv: absPath.optional(),
    json: absPath.optional(),
    pdf: absPath.optional(),
    /** replace existing files (asked for by the user); without it an existing output is refused before any is written */
    overwrite: z.boolean().default(false),
  })
  .refine((p) => p.html || p.csv || p.json || p.pdf, { message: 'name at least one output (html, csv, json or pdf)', path: ['html'] });
export const reportResult = z.strictObject({ written: z.array(z.string()) });

export const exportParams = z.strictObject({
  /** "default", a model folder or a training run folder */
  model: modelRef,
  format: z.enum(['onnx']).default('onnx'),
  out: absPath,
  /** replace an existing file at `out` (asked for by the user) */
  overwrite: z.boolean().default(false),
});
export const exportResult = z.strictObject({ out: z.string(), bytes: z.number().int(), opset: z.number().int(), nodes: z.number().int(), ops: z.array(z.string()), layout: z.string() });

/** PyTorch export (src/engine/export/pytorch): a folder with model.py, train.py (torchrun/DDP), weights and optimizer state. */
export const exportPytorchParams = z.strictObject({
  /** "default", a model folder or a training run folder (a run continues from its last checkpoint) */
  model: modelRef,
  /** a new or empty folder: an existing non-empty one is never written into */
  out: absPath,
});
export const exportPytorchResult = z.strictObject({ out: z.string(), files: z.array(z.string()), model: z.string(), preset: z.string(), step: z.number().int(), optimizer: z.boolean() });
/** PyTorch import (src/engine/import/pytorch): train.py's checkpoint (a .pt file or its --out folder) → a new run folder. */
export const importPytorchParams = z.strictObject({
  source: absPath,
  runsDir: absPath,
  run: safeName,
  /** the prepared set the run refers to (for fine-tuning and resume); default: the exported run's */
  dataset: absPath.nullable().default(null),
});
export const importPytorchResult = z.strictObject({ runDir: z.string(), step: z.number().int(), checkpoints: z.array(z.enum(['last', 'best'])), historyEntries: z.number().int() });

/** The job table: one entry per job type. Adding a job = one line here + one handler in the engine. */
export const jobs = {
  selftest: { params: selftestParams, result: selftestResult },
  scan: { params: scanParams, result: scanResult },
  prepare: { params: prepareParams, result: prepareResult },
  train: { params: trainParams, result: trainResult },
  resume: { params: resumeParams, result: trainResult },
  deblur: { params: deblurParams, result: deblurResult },
  evaluate: { params: evaluateParams, result: evaluateResult },
  report: { params: reportParams, result: reportResult },
  export: { params: exportParams, result: exportResult },
  'export-pytorch': { params: exportPytorchParams, result: exportPytorchResult },
  'import-pytorch': { params: importPytorchParams, result: importPytorchResult },
} as const;

export type JobType = keyof typeof jobs;
export const jobType = z.enum(Object.keys(jobs) as [JobType, ...JobType[]]);
/** Params as the caller may write them (defaults optional). */
export type JobParamsInput<T extends JobType> = z.input<(typeof jobs)[T]['params']>;
/** Params after validation (defaults filled). */
export type JobParams<T extends JobType> = z.output<(typeof jobs)[T]['params']>;
export type JobResult<T extends JobType> = z.output<(typeof jobs)[T]['result']>;

/** `job.start` payload: a discriminated union over the job table. */
export const jobStart = z.discriminatedUnion(
  'type',
  Object.entries(jobs).map(([type, j]) => z.strictObject({ type: z.literal(type), params: j.params })) as unknown as [
    z.ZodObject<{ type: z.ZodLiteral<string>; params: z.ZodType }>,
    ...z.ZodObject<{ type: z.ZodLiteral<string>; params: z.ZodType }>[],
  ],
) as unknown as z.ZodType<JobStarted, JobStart>;
export type JobStart = { [T in JobType]: { type: T; params: JobParamsInput<T> } }[JobType];
/** A validated `job.start` (defaults filled): checking `type` narrows `params`. */
export type JobStarted = { [T in JobType]: { type: T; params: JobParams<T> } }[JobType];
/** A `job.start` payload built from a generic job type (TypeScript cannot see that `{ type: T; params }` is one member of JobStart). */
export const jobStartOf = <T extends JobType>(type: T, params: JobParamsInput<T>): JobStart => ({ type, params }) as JobStart;
