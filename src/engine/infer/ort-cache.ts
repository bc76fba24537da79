import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic';
import { readModelJson, MODEL_JSON } from '../models/io';
import { assertConfined } from '../fs/confinement';

/**
 * Converted models are cached, keyed by what they were converted from: beside the model
 * (`model.<key>.onnx` next to model.json) when that folder may be written, else — the built-in
 * model, read-only folders — in the user's cache folder. A new checkpoint (new weights) gets a new
 * key; saveModel replaces a model folder as a whole, so its old conversions go with it.
 */

/** Bump when the exporter's output changes, so conversions cached by an older one are not reused. */
export const ONNX_EXPORTER_VERSION = 1;

const CACHED_NAME = /^model\.[0-9a-f]{16}\.onnx$/;

/** sha256 of the exporter version, model.json and the weight files (hex). */
export async function conversionKey(modelDir: string): Promise<string> {
  const json = await readModelJson(modelDir);
  const hash = createHash('sha256').update(`deblur-onnx-exporter ${ONNX_EXPORTER_VERSION}\n`);
  hash.update(await fs.readFile(path.join(modelDir, MODEL_JSON)));
  for (const group of json.weightsManifest) {
    for (const rel of group.paths) {
      const file = path.resolve(modelDir, rel);
      await assertConfined(file, 'read');
      hash.update(await fs.readFile(file));
    }
  }
  return hash.digest('hex');
}

/** The user's cache folder for the app: DEBLUR_CACHE_DIR, else the platform's per-user cache location. */
export function userCacheDir(): string {
  if (process.env.DEBLUR_CACHE_DIR) return path.resolve(process.env.DEBLUR_CACHE_DIR);
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'deblur-studio', 'Cache');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'deblur-studio');
  return path.join(process.env.XDG_CACHE_HOME || path.join(home, '.cache'), 'deblur-studio');
}

export const besideFile = (modelDir: string, key: string) => path.join(modelDir, `model.${key.slice(0, 16)}.onnx`);
export const cacheFile = (key: string) => path.join(userCacheDir(), 'onnx', `${key}.onnx`);

/** Cached bytes for this key (beside first, unless a link there leads out of a confined engine's roots), or null. */
export async function readCachedConversion(modelDir: string, key: string): Promise<{ file: string; bytes: Uint8Array } | null> {
  const beside = besideFile(modelDir, key);
  const besideAllowed = await assertConfined(beside, 'read').then(() => true, () => false);
  for (const file of besideAllowed ? [beside, cacheFile(key)] : [cacheFile(key)]) {
    const bytes = await fs.readFile(file).catch(() => null);
    if (bytes && bytes.byteLength > 0) return { file, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }
  return null;
}

export interface StoredConversion {
  /** where the conversion now lies, or null when neither place could be written */
  file: string | null;
  /** why it is not beside the model / not stored at all (null when beside) */
  notes: string[];
}

/**
 * Stores a conversion atomically: beside the model unless `besideAllowed` is false (the built-in
 * model) or writing there fails, then in the user cache. Failing both only costs a conversion next time.
 */
export async function storeConversion(modelDir: string, key: string, bytes: Uint8Array, besideAllowed: boolean): Promise<StoredConversion> {
  const notes: string[] = [];
  if (besideAllowed) {
    const file = besideFile(modelDir, key);
    try {
      await writeFileAtomic(file, bytes, { durable: false });
      await removeOlderConversions(modelDir, path.basename(file));
      return { file, notes };
    } catch (err) {
      notes.push(`not cached beside the model (${(err as Error).message})`);
    }
  }
  const file = cacheFile(key);
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, bytes, { durable: false, ownFolder: true });
    return { file, notes };
  } catch (err) {
    notes.push(`not cached (${(err as Error).message}); it will be converted again next time`);
    return { file: null, notes };
  }
}

/** Conversions of earlier weights in the same folder (the exporter's own names only). */
async function removeOlderConversions(modelDir: string, keep: string): Promise<void> {
  const names = await fs.readdir(modelDir).catch(() => [] as string[]);
  for (const name of names) if (name !== keep && CACHED_NAME.test(name)) await fs.rm(path.join(modelDir, name), { force: true }).catch(() => undefined);
}
