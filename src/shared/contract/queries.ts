import { z } from 'zod';
import { absPath, backendName, restorationKind, safeName, shortText } from './primitives';
import { jobStart, jobType, trainParams } from './jobs';
import { events } from './events';
import { runHistoryEntry } from './run-history';
import { storedEvalFileSchema } from './evaluation';

/** Request/reply methods. `host` methods are answered by the front door (Electron main, browser host, CLI); the rest by the engine. */

const empty = z.strictObject({});
const ok = z.strictObject({ ok: z.literal(true) });
const jobRef = z.strictObject({ jobId: z.string().min(1).max(64) });

/** Which runtime runs inference (deblur, evaluate): ONNX Runtime on a converted model, or TF.js itself. */
export const inferRuntimeName = z.enum(['onnx', 'tfjs']);
export type InferRuntimeName = z.infer<typeof inferRuntimeName>;

/** One inference runtime (and provider) considered; `reason` says why it does not run (null when ok). */
export const inferAttempt = z.strictObject({
  runtime: inferRuntimeName,
  /** ONNX Runtime's execution provider (webgpu, dml, coreml, cpu); null for TF.js */
  provider: z.string().nullable(),
  ok: z.boolean(),
  reason: z.string().nullable(),
});
export type InferAttempt = z.infer<typeof inferAttempt>;

/** Which runtime runs inference and why the others do not. */
export const inferRuntimeReport = z.strictObject({
  runtime: inferRuntimeName,
  /** the execution provider that runs (null for TF.js) */
  provider: z.string().nullable(),
  /** DEBLUR_INFER's value, else null */
  forced: inferRuntimeName.nullable(),
  /** onnxruntime-node's version, null when it cannot load */
  ortVersion: z.string().nullable(),
  /** every runtime and provider considered, in order */
  attempts: z.array(inferAttempt),
});
export type InferRuntimeReport = z.infer<typeof inferRuntimeReport>;

/** One TF.js backend tried by the engine's runtime selection; `reason` says why it did not run (null when ok). */
export const backendAttempt = z.strictObject({ backend: z.string(), ok: z.boolean(), reason: z.string().nullable(), ms: z.number() });
export type BackendAttempt = z.infer<typeof backendAttempt>;

/** Which TF.js backend runs the engine, and why the ones tried before it did not. */
export const runtimeReport = z.strictObject({
  backend: backendName,
  /** version of the tfjs-core instance the engine uses */
  tfjsVersion: z.string(),
  /** threads the backend computes with (wasm: XNNPACK thread-pool size; native: cores; webgpu, cpu: 1) */
  threads: z.number().int(),
  /** WebAssembly SIMD in use; null for backends that are not wasm */
  simd: z.boolean().nullable(),
  /** the backend asked for through DEBLUR_BACKEND or a forced selection, else null */
  forced: z.string().nullable(),
  attempts: z.array(backendAttempt),
  /** e.g. "linux x64" */
  platform: z.string(),
  /** Node.js version, e.g. "v20.19.0" */
  node: z.string(),
  /** inference runtime (deblur, evaluate); absent from engines that predate it */
  infer: inferRuntimeReport.optional(),
});
export type RuntimeReport = z.infer<typeof runtimeReport>;

export const modelInfo = z.strictObject({
  name: z.string(),
  description: z.string(),
  restoration: restorationKind,
  defaultPreset: z.string(),
  presets: z.array(z.strictObject({ name: z.string(), params: z.number().int(), description: z.string() })),
  /** fixed: the only input size the model takes (the seed autoencoder); multipleOf: the size step of a fully convolutional one */
  input: z.strictObject({ fixed: z.strictObject({ width: z.number(), height: z.number() }).nullable(), multipleOf: z.number().int() }),
});

/** The model shipped with the app (resources/models/default), used when no other model is chosen. */
export const builtinModel = z.strictObject({
  installed: z.boolean(),
  dir: z.string(),
  /** zoo model and preset it was built from, and its parameter count (null when not installed) */
  model: z.string().nullable(),
  preset: z.string().nullable(),
  params: z.number().int().nullable(),
  /** one line on what it was trained on and how well it does, from its model.json */
  summary: z.string().nullable(),
  /** why it cannot be used (null when installed) */
  problem: z.string().nullable(),
});

export const imagePreview = z.strictObject({
  /** a PNG or JPEG data URL, at most maxSide pixels on its longer side */
  dataUrl: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  originalWidth: z.number().int(),
  originalHeight: z.number().int(),
  format: z.string(),
});
export const maxParams = 15_000_000;

export const runSummary = z.strictObject({
  name: z.string(),
  dir: z.string(),
  model: z.string(),
  preset: z.string(),
  step: z.number().int(),
  /** the run's plan: steps in all and the epochs they make (a run with step >= totalSteps is finished) */
  totalSteps: z.number().int(),
  epochs: z.number().int(),
  bestPsnr: z.number().nullable(),
  updated: z.string(),
  hasCheckpoint: z.boolean(),
});

export const settings = z.strictObject({
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  folders: z
    .strictObject({
      dataset: absPath.optional(),
      prepared: absPath.optional(),
      runs: absPath.optional(),
      deblurInput: absPath.optional(),
      deblurOutput: absPath.optional(),
      testSet: absPath.optional(),
    })
    .default({}),
  lastTrain: trainParams.partial().optional(),
  window: z.strictObject({ width: z.number().int().min(400).max(10_000), height: z.number().int().min(300).max(10_000) }).optional(),
});
export type Settings = z.output<typeof settings>;

export const folderKey = settings.shape.folders.unwrap().keyof();
export const settingsPatch = settings.partial().extend({ clearFolders: z.array(folderKey).max(6).optional() });
export type SettingsPatch = z.infer<typeof settingsPatch>;

/** Which front door answers, and what it offers: the folders it may read (null: not confined), open-folder, downloads. */
export const hostInfo = z.strictObject({
  door: z.enum(['desktop', 'browser', 'cli']),
  roots: z.array(z.string()).nullable(),
  openFolder: z.boolean(),
  download: z.boolean(),
  /** the app's own writable data folder (default outputs go under it); null when the host does not say */
  dataDir: z.string().nullable(),
});
export type HostInfo = z.infer<typeof hostInfo>;

export const dirEntry = z.strictObject({ name: z.string(), path: z.string(), kind: z.enum(['dir', 'file']) });

export const methods = {
  // engine
  'runtime.info': { params: empty, result: runtimeReport, host: false },
  'models.list': { params: empty, result: z.strictObject({ models: z.array(modelInfo), maxParams: z.number() }), host: false },
  'models.builtin': { params: empty, result: builtinModel, host: false },
  'runs.list': { params: z.strictObject({ runsDir: absPath }), result: z.strictObject({ runs: z.array(runSummary) }), host: false },
  'runs.history': {
    params: z.strictObject({ runDir: absPath }),
    result: z.strictObject({ entries: z.array(runHistoryEntry) }),
    host: false,
  },
  'image.preview': {
    params: z.strictObject({ path: absPath, maxSide: z.number().int().min(16).max(8192).default(2048) }),
    result: imagePreview,
    host: false,
  },
  /** an evaluation file written by the evaluate job, validated by the engine and by every door, in its stored form (PSNR ∞ stays "Infinity"; decodeEval restores it) */
  'evaluation.read': { params: z.strictObject({ path: absPath }), result: storedEvalFileSchema, host: false },
  'job.start': { params: jobStart, result: z.strictObject({ jobId: z.string(), type: jobType }), host: false },
  'job.cancel': { params: jobRef, result: ok, host: false },
  'job.pause': { params: jobRef, result: ok, host: false },
  'job.resume': { params: jobRef, result: ok, host: false },
  'jobs.active': { params: empty, result: z.strictObject({ jobs: z.array(z.strictObject({ jobId: z.string(), type: jobType, started: z.string() })) }), host: false },
  // host (front door)
  'engine.status': { params: empty, result: events['engine.status'], host: true },
  'settings.get': { params: empty, result: settings, host: true },
  /** merges the given fields (folders key by key); `clearFolders` forgets saved folders */
  'settings.set': { params: settingsPatch, result: settings, host: true },
  'dialog.openFolder': { params: z.strictObject({ title: shortText.max(200).optional() }), result: z.strictObject({ path: z.string().nullable() }), host: true },
  'dialog.openFile': {
    params: z.strictObject({ title: shortText.max(200).optional(), extensions: z.array(safeName).max(20).optional() }),
    result: z.strictObject({ path: z.string().nullable() }),
    host: true,
  },
  'fs.list': {
    /** extensions: list only folders and files ending so (without dot) */
    params: z.strictObject({ dir: absPath.optional(), extensions: z.array(safeName).max(20).optional() }),
    result: z.strictObject({ dir: z.string(), parent: z.string().nullable(), entries: z.array(dirEntry) }),
    host: true,
  },
  'host.info': { params: empty, result: hostInfo, host: true },
  /** shows a folder in the system's file manager (the desktop app; the browser host answers 'unavailable') */
  'shell.openFolder': { params: z.strictObject({ path: absPath }), result: ok, host: true },
  /**
   * A one-time link (GET, expires in a minute) that downloads a file the host may read (the browser host only);
   * with `zip`, `path` is a folder and the link downloads its files (subfolders included, no hidden files or links) as one .zip.
   */
  'download.ticket': { params: z.strictObject({ path: absPath, zip: z.boolean().optional() }), result: z.strictObject({ url: z.string(), name: z.string() }), host: true },
} as const;

export type MethodName = keyof typeof methods;
export const methodName = z.enum(Object.keys(methods) as [MethodName, ...MethodName[]]);
export type MethodParamsInput<M extends MethodName> = z.input<(typeof methods)[M]['params']>;
export type MethodParams<M extends MethodName> = z.output<(typeof methods)[M]['params']>;
export type MethodResult<M extends MethodName> = z.output<(typeof methods)[M]['result']>;
export const isHostMethod = (m: MethodName): boolean => methods[m].host;
/** The methods the engine answers (the rest are answered by the front door). */
export type EngineMethodName = { [M in MethodName]: (typeof methods)[M]['host'] extends false ? M : never }[MethodName];
