import { promises as fs } from 'node:fs';
import path from 'node:path';
import { recoverReplacedDir, replaceDirAtomic, TEMP_MARKER, tempPathFor, writeFileAtomic } from '../fs/atomic';
import { isInside } from '../fs/paths';
import { assertConfined, OutsideRootsError } from '../fs/confinement';
import * as tf from './tf';
import { ModelFileError } from './errors';
import { expectedWeightBytes } from './weight-bytes';

/**
 * Saving and loading TF.js layers models on the local filesystem in the standard layers format
 * (`model.json` + `weights.bin`, what `tf.loadLayersModel` and the Keras converter read). The native
 * runtime's `file://` handler does not exist on the cpu/wasm backends, hence this IOHandler.
 */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** JSON-serialisable user data stored in model.json's `userDefinedMetadata` (model name, preset, training info …). */
export type ModelMetadata = Record<string, unknown>;

export interface SaveModelOptions {
  /** Merged over the model's own user-defined metadata (see LayersModel.setUserDefinedMetadata). */
  metadata?: ModelMetadata;
  /** Also store the optimizer's state (to resume training). */
  includeOptimizer?: boolean;
  /** Writes one file of the new model folder; replaceable so tests can make a save fail midway. */
  writeFile?: (filePath: string, data: Uint8Array | string) => Promise<void>;
}

/** What model.json holds, checked to the extent loading relies on it. */
export interface ModelJson {
  modelTopology: Record<string, unknown>;
  weightsManifest: tf.io.WeightsManifestConfig;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: tf.io.TrainingConfig;
  userDefinedMetadata?: ModelMetadata;
}

/**
 * Saves `model` into the folder `dir`, replacing it as a whole: the files are written (and fsynced)
 * into a temp folder next to `dir`, which then takes its place. A process killed midway leaves the
 * previous model in `dir` (or, if killed between the two renames of the swap, in a `.old-*` sibling
 * that loadModel and the next save put back). Concurrent saves into the same folder are not supported.
 */
export async function saveModel(model: tf.LayersModel, dir: string, options: SaveModelOptions = {}): Promise<tf.io.SaveResult> {
  return model.save(fileSystemSaveHandler(dir, options), { includeOptimizer: options.includeOptimizer ?? false });
}

/** An IOHandler whose save writes a layers-format model folder at `dir` (see saveModel). */
export function fileSystemSaveHandler(dir: string, options: SaveModelOptions = {}): tf.io.IOHandler {
  const writeFile = options.writeFile ?? ((p: string, data: Uint8Array | string) => writeFileAtomic(p, data, { durable: true }));
  return {
    save: async (artifacts) => {
      const target = path.resolve(dir);
      await assertConfined(target, 'write');
      const modelJson = modelJsonFor(artifacts, options.metadata);
      const weights = weightBytesOf(artifacts);
      await fs.mkdir(path.dirname(target), { recursive: true });
      // Leftovers of killed saves: a model set aside mid-swap is put back (then replaced), temp folders go.
      await recoverReplacedDir(target);
      await removeStaleTempDirs(target);
      const tmp = tempPathFor(target);
      await fs.mkdir(tmp);
      try {
        // Weights first: a folder whose model.json exists always has its weights.
        await writeFile(path.join(tmp, WEIGHTS_BIN), weights);
        await writeFile(path.join(tmp, MODEL_JSON), JSON.stringify(modelJson));
        await replaceDirAtomic(tmp, target);
      } catch (err) {
        await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
        throw err;
      }
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** Loads the layers model saved in `dir`, with a ModelFileError for a missing, corrupt or truncated folder. */
export async function loadModel(dir: string, options: { strict?: boolean } = {}): Promise<tf.LayersModel> {
  const target = path.resolve(dir);
  try {
    return await tf.loadLayersModel(fileSystemLoadHandler(target), { strict: options.strict ?? true });
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new ModelFileError(
      `${path.join(target, MODEL_JSON)} does not describe a model TF.js can build: ${reason}`,
      target,
      { cause: err },
    );
  }
}

/** An IOHandler whose load reads a layers-format model folder and validates the weight bytes against the manifest. */
export function fileSystemLoadHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const target = path.resolve(dir);
      const json = await readModelJson(target);
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of json.weightsManifest) {
        const bytes = await readWeightGroup(target, group);
        specs.push(...group.weights);
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        trainingConfig: json.trainingConfig,
        userDefinedMetadata: json.userDefinedMetadata as Record<string, object> | undefined,
        weightSpecs: specs,
        weightData: tf.io.CompositeArrayBuffer.join(buffers),
      };
    },
  };
}

/** Reads and checks `dir/model.json` without touching the weights (cheap: for listing saved models). */
export async function readModelJson(dir: string): Promise<ModelJson> {
  const target = path.resolve(dir);
  const file = path.join(target, MODEL_JSON);
  let text: string;
  try {
    await assertConfined(file, 'read');
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof OutsideRootsError) throw new ModelFileError(err.message, target, { cause: err });
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ModelFileError(`cannot read ${file}: ${(err as Error).message}`, target, { cause: err });
    }
    const dirExists = await fs.stat(target).then((s) => s.isDirectory(), () => false);
    // A save killed between the two renames of its folder swap leaves the previous model aside.
    if (!dirExists && (await recoverReplacedDir(target))) return readModelJson(target);
    throw new ModelFileError(
      dirExists ? `no ${MODEL_JSON} in ${target}: not a saved model folder` : `model folder ${target} does not exist`,
      target,
      { cause: err },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(`${file} is corrupt (not valid JSON: ${(err as Error).message})`, target, { cause: err });
  }
  const problem = modelJsonProblem(parsed);
  if (problem) throw new ModelFileError(`${file} is not a TF.js layers model: ${problem}`, target);
  return parsed as ModelJson;
}

/** The user-defined metadata stored with the model in `dir` ({} when there is none). */
export async function readModelMetadata(dir: string): Promise<ModelMetadata> {
  return (await readModelJson(dir)).userDefinedMetadata ?? {};
}

function modelJsonFor(artifacts: tf.io.ModelArtifacts, extra: ModelMetadata | undefined): ModelJson {
  if (artifacts.modelTopology == null || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error('saveModel: only layers models (JSON topology) can be saved, not graph models');
  }
  const metadata = { ...(artifacts.userDefinedMetadata ?? {}), ...(extra ?? {}) };
  const json: ModelJson = {
    modelTopology: artifacts.modelTopology as Record<string, unknown>,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
  if (Object.keys(metadata).length > 0) json.userDefinedMetadata = assertJsonRoundTrips(metadata);
  return json;
}

function weightBytesOf(artifacts: tf.io.ModelArtifacts): Uint8Array {
  const data = artifacts.weightData == null ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const expected = expectedWeightBytes(artifacts.weightSpecs ?? []);
  if (data.byteLength !== expected) {
    throw new Error(`saveModel: the model gave ${data.byteLength} weight bytes, its weight specs need ${expected}`);
  }
  return new Uint8Array(data);
}

/** Metadata that JSON cannot carry (functions, NaN, cycles …) would come back different: refuse it when saving. */
function assertJsonRoundTrips(metadata: ModelMetadata): ModelMetadata {
  let text: string;
  try {
    text = JSON.stringify(metadata);
  } catch (err) {
    throw new Error(`saveModel: metadata is not JSON-serialisable: ${(err as Error).message}`, { cause: err });
  }
  return JSON.parse(text) as ModelMetadata;
}

/** Reads a manifest group's files in order and checks their total size against the group's weight specs. */
async function readWeightGroup(dir: string, group: tf.io.WeightsManifestConfig[number]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const rel of group.paths) {
    const file = resolveInside(dir, rel);
    try {
      await assertConfined(file, 'read');
      parts.push(await fs.readFile(file));
    } catch (err) {
      if (err instanceof OutsideRootsError) throw new ModelFileError(err.message, dir, { cause: err });
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      throw new ModelFileError(
        missing ? `weights file ${file} is missing (listed in ${MODEL_JSON})` : `cannot read weights file ${file}: ${(err as Error).message}`,
        dir,
        { cause: err },
      );
    }
  }
  const actual = parts.reduce((n, p) => n + p.byteLength, 0);
  let expected: number;
  try {
    expected = expectedWeightBytes(group.weights);
  } catch (err) {
    throw new ModelFileError(`${MODEL_JSON} in ${dir}: ${(err as Error).message}`, dir, { cause: err });
  }
  if (actual !== expected) {
    const what = group.paths.join(' + ');
    const kind = actual < expected ? 'truncated' : 'longer than its manifest';
    throw new ModelFileError(
      `weights file ${what} in ${dir} is ${kind}: ${actual} bytes, ${MODEL_JSON} lists ${group.weights.length} tensors needing exactly ${expected} bytes`,
      dir,
    );
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Manifest paths are relative file names; one that points outside the model folder is refused. */
function resolveInside(dir: string, rel: string): string {
  const file = path.resolve(dir, rel);
  if (path.isAbsolute(rel) || !isInside(dir, file)) {
    throw new ModelFileError(`${MODEL_JSON} in ${dir} lists a weights path outside the folder: ${rel}`, dir);
  }
  return file;
}

function modelJsonProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'the file is not a JSON object';
  const o = v as Record<string, unknown>;
  if (typeof o.modelTopology !== 'object' || o.modelTopology === null) return 'modelTopology is missing';
  if (o.format !== undefined && o.format !== 'layers-model') return `format is "${String(o.format)}", expected "layers-model"`;
  if (!Array.isArray(o.weightsManifest)) return 'weightsManifest is missing';
  for (const [i, g] of (o.weightsManifest as unknown[]).entries()) {
    const group = g as Record<string, unknown> | null;
    if (!group || !Array.isArray(group.paths) || !group.paths.every((p) => typeof p === 'string')) {
      return `weightsManifest[${i}].paths is not a list of file names`;
    }
    if (!Array.isArray(group.weights)) return `weightsManifest[${i}].weights is missing`;
    for (const w of group.weights as unknown[]) {
      const spec = w as Record<string, unknown> | null;
      if (!spec || typeof spec.name !== 'string' || !Array.isArray(spec.shape) || typeof spec.dtype !== 'string') {
        return `weightsManifest[${i}] has a weight entry without name, shape and dtype`;
      }
    }
  }
  if (o.userDefinedMetadata !== undefined && (typeof o.userDefinedMetadata !== 'object' || o.userDefinedMetadata === null)) {
    return 'userDefinedMetadata is not an object';
  }
  return null;
}

/** Temp folders of saves whose process was killed; those of live processes (maybe still saving) are kept. */
async function removeStaleTempDirs(target: string): Promise<void> {
  const parent = path.dirname(target);
  const prefix = `.${path.basename(target)}${TEMP_MARKER}`; // as tempPathFor names them
  const entries = await fs.readdir(parent).catch(() => [] as string[]);
  for (const name of entries) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && !isProcessAlive(pid)) {
      await fs.rm(path.join(parent, name), { recursive: true, force: true });
    }
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only checks that the process exists
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
