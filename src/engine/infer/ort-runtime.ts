import { layersModelToOnnx } from '../export/onnx/convert-layers-model';
import { OnnxExportError } from '../export/onnx/errors';
import { describeError } from '../runtime/backends/describe-error';
import { INFER_RUNTIMES, type InferAttempt, type InferRuntimeName, type InferRuntimeReport } from '../runtime/report';
import type { TilePredictor } from './deblur-image';
import type { InferenceModel } from './load-model';
import { modelPredictor } from './model-predictor';
import { isBuiltinModelDir } from './model-source';
import { conversionKey, readCachedConversion, storeConversion } from './ort-cache';
import { loadOnnxRuntime, ortVersion, type Ort, type OrtLoader } from './ort-module';
import { ortPredictor } from './ort-predictor';
import { chooseProviders, sessionOptions, type ProviderChoice, type ProviderEnv, type ProviderName } from './ort-providers';

/**
 * Which runtime deblurs and evaluates: ONNX Runtime on the model converted to ONNX (cached, see
 * ort-cache.ts), on the first execution provider that works, else TF.js with the reason.
 * DEBLUR_INFER=onnx|tfjs (or opts.force) forces one; a forced runtime that cannot run is an error.
 * Both runtimes plug into the same TilePredictor seam, so tiling and feathering are shared.
 */

export class InferRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InferRuntimeError';
  }
}

export interface InferOptions {
  force?: InferRuntimeName;
  loadOrt?: OrtLoader;
  providerEnv?: ProviderEnv;
}

export interface InferEngine {
  predict: TilePredictor;
  report: InferRuntimeReport;
  /** the ONNX file the session runs (null for TF.js) and how it got there */
  onnxFile: string | null;
  notes: string[];
  release(): Promise<void>;
}

function forcedRuntime(opts: InferOptions): { forced: InferRuntimeName | null; source: string } {
  if (opts.force) return { forced: opts.force, source: 'force' };
  const raw = process.env.DEBLUR_INFER?.trim();
  if (!raw) return { forced: null, source: 'DEBLUR_INFER' };
  if (!(INFER_RUNTIMES as readonly string[]).includes(raw)) {
    throw new InferRuntimeError(`DEBLUR_INFER='${raw}' is not an inference runtime; use one of: ${INFER_RUNTIMES.join(', ')}`);
  }
  return { forced: raw as InferRuntimeName, source: 'DEBLUR_INFER' };
}

interface OrtSetup {
  ort: Ort | null;
  version: string | null;
  providers: ProviderChoice;
}

let setup: Promise<OrtSetup> | null = null;

/** Loads ORT and probes its providers once per process (the defaults only; injected ones are not memoised). */
async function ortSetup(opts: InferOptions): Promise<OrtSetup> {
  const run = async (): Promise<OrtSetup> => {
    let ort: Ort;
    try {
      ort = await (opts.loadOrt ?? loadOnnxRuntime)();
    } catch (err) {
      return { ort: null, version: null, providers: { usable: [], attempts: [{ runtime: 'onnx', provider: null, ok: false, reason: describeError(err) }] } };
    }
    return { ort, version: ortVersion(ort), providers: await chooseProviders(ort, opts.providerEnv) };
  };
  if (opts.loadOrt || opts.providerEnv) return run();
  setup ??= run();
  return setup;
}

/** Forgets the probed providers (tests). */
export function forgetInferRuntime(): void {
  setup = null;
}

const tfjsAttempt: InferAttempt = { runtime: 'tfjs', provider: null, ok: true, reason: null };

/** What `info` shows: the runtime a convertible model would run on here, and why the others do not. */
export async function describeInferRuntime(opts: InferOptions = {}): Promise<InferRuntimeReport> {
  const { forced, source } = forcedRuntime(opts);
  if (forced === 'tfjs') return { runtime: 'tfjs', provider: null, forced, ortVersion: null, attempts: [{ runtime: 'onnx', provider: null, ok: false, reason: `not tried: ${source}=tfjs` }, tfjsAttempt] };
  const s = await ortSetup(opts);
  const provider = s.providers.usable[0] ?? null;
  if (provider) return { runtime: 'onnx', provider, forced, ortVersion: s.version, attempts: [...s.providers.attempts, { runtime: 'tfjs', provider: null, ok: true, reason: 'standby: runs a model ONNX Runtime cannot' }] };
  if (forced === 'onnx') throw new InferRuntimeError(`${source}=onnx: ONNX Runtime cannot run here: ${reasons(s.providers.attempts)}`);
  return { runtime: 'tfjs', provider: null, forced, ortVersion: s.version, attempts: [...s.providers.attempts, tfjsAttempt] };
}

/** Opens the runtime a loaded model runs on; the caller releases it (the TF.js model stays the caller's). */
export async function openInferRuntime(loaded: InferenceModel, opts: InferOptions = {}): Promise<InferEngine> {
  const { forced, source } = forcedRuntime(opts);
  const tfjs = (attempts: InferAttempt[], version: string | null, notes: string[] = []): InferEngine => ({
    predict: modelPredictor(loaded.model),
    report: { runtime: 'tfjs', provider: null, forced, ortVersion: version, attempts: [...attempts, tfjsAttempt] },
    onnxFile: null,
    notes,
    release: async () => undefined,
  });
  if (forced === 'tfjs') return tfjs([{ runtime: 'onnx', provider: null, ok: false, reason: `not tried: ${source}=tfjs` }], null);

  const s = await ortSetup(opts);
  const attempts = [...s.providers.attempts];
  const fallBack = (reason: string, notes: string[] = []): InferEngine => {
    if (forced === 'onnx') throw new InferRuntimeError(`${source}=onnx: ONNX Runtime cannot run ${loaded.model.name}: ${reason}`);
    attempts.push({ runtime: 'onnx', provider: null, ok: false, reason });
    return tfjs(attempts, s.version, notes);
  };
  if (!s.ort || s.providers.usable.length === 0) return fallBack(reasons(attempts));
  const ort = s.ort;

  let conversion: Conversion;
  try {
    conversion = await convertCached(loaded);
  } catch (err) {
    return fallBack(err instanceof OnnxExportError ? `the model cannot be converted: ${err.message}` : `converting the model failed: ${describeError(err)}`);
  }
  for (const provider of s.providers.usable) {
    try {
      const session = await createSession(ort, conversion, provider, loaded);
      const report: InferRuntimeReport = { runtime: 'onnx', provider, forced, ortVersion: s.version, attempts: markChosen(attempts, provider) };
      return { predict: ortPredictor(ort, session), report, onnxFile: conversion.file, notes: conversion.notes, release: () => session.release() };
    } catch (err) {
      attempts.push({ runtime: 'onnx', provider, ok: false, reason: `the model's session failed: ${describeError(err)}` });
    }
  }
  return fallBack('no execution provider could run the converted model', conversion.notes);
}

interface Conversion {
  bytes: Uint8Array;
  file: string | null;
  fromCache: boolean;
  notes: string[];
}

async function convertCached(loaded: InferenceModel): Promise<Conversion> {
  const dir = loaded.source.dir;
  const key = await conversionKey(dir);
  const cached = await readCachedConversion(dir, key);
  if (cached) return { bytes: cached.bytes, file: cached.file, fromCache: true, notes: [`ONNX model from the cache: ${cached.file}`] };
  return convertAndStore(loaded, key);
}

async function convertAndStore(loaded: InferenceModel, key: string): Promise<Conversion> {
  const dir = loaded.source.dir;
  const { bytes } = layersModelToOnnx(loaded.model, { metadata: { 'deblur.source': dir, 'deblur.conversion_key': key } });
  // A built-in model's folder belongs to the installation: its conversion goes to the user cache.
  const stored = await storeConversion(dir, key, bytes, !isBuiltinModelDir(dir));
  const where = stored.file ? `converted to ONNX: ${stored.file}` : 'converted to ONNX (kept in memory)';
  return { bytes, file: stored.file, fromCache: false, notes: [where, ...stored.notes] };
}

/** A cached file that ORT refuses (damaged on disk) is converted again once, from the loaded model. */
async function createSession(ort: Ort, conversion: Conversion, provider: ProviderName, loaded: InferenceModel) {
  try {
    return await ort.InferenceSession.create(conversion.bytes, sessionOptions(provider));
  } catch (err) {
    if (!conversion.fromCache) throw err;
    Object.assign(conversion, await convertAndStore(loaded, await conversionKey(loaded.source.dir)));
    conversion.notes.unshift(`the cached ONNX model was unreadable (${describeError(err)}); converted again`);
    return ort.InferenceSession.create(conversion.bytes, sessionOptions(provider));
  }
}

function markChosen(attempts: InferAttempt[], provider: ProviderName): InferAttempt[] {
  return attempts.map((a) => (a.runtime === 'onnx' && a.provider === provider ? { ...a, ok: true, reason: null } : a));
}

function reasons(attempts: InferAttempt[]): string {
  return attempts.filter((a) => !a.ok).map((a) => `${a.provider ?? 'onnxruntime'}: ${a.reason}`).join('; ') || 'no provider works';
}

/** One line for a job's log: what runs, and why the others do not. */
export function describeInferChoice(r: InferRuntimeReport): string {
  const running = r.runtime === 'onnx' ? `ONNX Runtime ${r.ortVersion ?? ''} (${r.provider} provider)`.replace('  ', ' ') : 'TF.js';
  const others = r.attempts.filter((a) => !a.ok).map((a) => `${a.runtime === 'onnx' ? (a.provider ?? 'onnxruntime') : 'tfjs'}: ${a.reason}`);
  return `inference on ${running}${r.forced ? ` (forced by DEBLUR_INFER=${r.forced})` : ''}${others.length ? `; not used: ${others.join('; ')}` : ''}`;
}
