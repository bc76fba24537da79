import { promises as fs } from 'node:fs';
import path from 'node:path';
import { shippedModelsDir } from '../core/resources';
import { ModelFileError } from '../models/errors';
import { MODEL_JSON } from '../models/io';

/**
 * Which model folder a `model` parameter means:
 *  - `default`: the model shipped in resources/models/default (kernel-aware since issue 13);
 *  - `blind`: the blind model shipped before it, in resources/models/blind;
 *  - a folder holding model.json (a saved model, or a run's checkpoints/best|last);
 *  - a training run folder: its checkpoints/best, else checkpoints/last;
 *  - a model.json file: its folder.
 */
export interface ModelSource {
  /** what the caller asked for */
  requested: string;
  /** the folder holding model.json */
  dir: string;
  /** the training run the model comes from (its config.json and history.jsonl), if any */
  runDir: string | null;
  checkpoint: 'best' | 'last' | null;
}

export const DEFAULT_MODEL_NAME = 'default';
/** The built-in models by name: the current one, and the blind one it replaced (kept selectable). */
export const BUILTIN_MODEL_NAMES = [DEFAULT_MODEL_NAME, 'blind'] as const;
const CHECKPOINT_KINDS = ['best', 'last'] as const;

/**
 * resources/models/default: DEBLUR_DEFAULT_MODEL_DIR if set; else next to the app — the packaged
 * app's resources folder (Electron), or the first ancestor of this file holding resources/.
 */
export function defaultModelDir(): string {
  const fromEnv = process.env.DEBLUR_DEFAULT_MODEL_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(shippedModelsDir(), DEFAULT_MODEL_NAME);
}

/** The folder of a built-in model named by BUILTIN_MODEL_NAMES. */
export function builtinModelDir(name: (typeof BUILTIN_MODEL_NAMES)[number]): string {
  return name === DEFAULT_MODEL_NAME ? defaultModelDir() : path.join(shippedModelsDir(), name);
}

/** Whether dir is a built-in model's folder: it belongs to the installation, so nothing is written there. */
export function isBuiltinModelDir(dir: string): boolean {
  return BUILTIN_MODEL_NAMES.some((name) => path.resolve(builtinModelDir(name)) === path.resolve(dir));
}

export const isBuiltinModelName = (s: string): s is (typeof BUILTIN_MODEL_NAMES)[number] => (BUILTIN_MODEL_NAMES as readonly string[]).includes(s);

const isFile = (p: string) => fs.stat(p).then((s) => s.isFile(), () => false);
const isDir = (p: string) => fs.stat(p).then((s) => s.isDirectory(), () => false);

/** A run folder is recognised by its config.json next to checkpoints/. */
async function runDirOf(dir: string): Promise<string | null> {
  return (await isFile(path.join(dir, 'config.json'))) && (await isDir(path.join(dir, 'checkpoints'))) ? dir : null;
}

export async function resolveModelSource(spec: string, opts: { defaultDir?: string } = {}): Promise<ModelSource> {
  const requested = spec.trim();
  if (requested === '') throw new Error('no model given: name a model folder, a training run folder, or "default"');
  if (isBuiltinModelName(requested)) {
    const dir = requested === DEFAULT_MODEL_NAME ? (opts.defaultDir ?? defaultModelDir()) : builtinModelDir(requested);
    if (!(await isFile(path.join(dir, MODEL_JSON)))) {
      throw new ModelFileError(`the ${requested} model is not installed (no ${MODEL_JSON} in ${dir}); train one and pass its run folder, or a model folder, instead`, dir);
    }
    return { requested, dir, runDir: null, checkpoint: null };
  }
  if (!path.isAbsolute(requested)) throw new Error(`model "${requested}" is neither a built-in model (${BUILTIN_MODEL_NAMES.join(', ')}) nor an absolute path to a model or run folder`);
  const target = path.resolve(requested);
  if (path.basename(target) === MODEL_JSON && (await isFile(target))) return sourceForModelDir(requested, path.dirname(target));
  if (!(await isDir(target))) throw new ModelFileError(`model folder ${target} does not exist`, target);
  if (await isFile(path.join(target, MODEL_JSON))) return sourceForModelDir(requested, target);
  for (const kind of CHECKPOINT_KINDS) {
    const dir = path.join(target, 'checkpoints', kind);
    if (await isFile(path.join(dir, MODEL_JSON))) return { requested, dir, runDir: target, checkpoint: kind };
  }
  const hint = (await isDir(path.join(target, 'checkpoints'))) ? ' (a run folder without a saved checkpoint yet?)' : '';
  throw new ModelFileError(`${target} holds no model: no ${MODEL_JSON}, and no checkpoints/best or checkpoints/last with one${hint}`, target);
}

/** A model folder that is a run's checkpoints/<kind> keeps the link to its run (for the report's training curves). */
async function sourceForModelDir(requested: string, dir: string): Promise<ModelSource> {
  const kind = path.basename(dir);
  const maybeRun = path.dirname(path.dirname(dir));
  if ((CHECKPOINT_KINDS as readonly string[]).includes(kind) && path.basename(path.dirname(dir)) === 'checkpoints') {
    const runDir = await runDirOf(maybeRun);
    if (runDir) return { requested, dir, runDir, checkpoint: kind as 'best' | 'last' };
  }
  return { requested, dir, runDir: null, checkpoint: null };
}
