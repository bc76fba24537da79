/**
 * Hostile input: the ONNX conversion cache beside a model is damaged or cannot be written.
 * Faults injected: a cached .onnx file truncated to garbage; a folder squatting on the cache file's name
 * (the write beside the model fails); new weights saved over the model (stale conversion).
 * What must hold: inference still runs on ONNX Runtime with the right numbers, the damaged file is
 * replaced by a fresh conversion, a failed write beside the model falls back to the user cache
 * (DEBLUR_CACHE_DIR), a built-in model's folder (the installation's) is never written into, and a new checkpoint
 * never reuses the old weights' conversion.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInferenceModel } from '../../src/engine/infer/load-model';
import { modelPredictor } from '../../src/engine/infer/model-predictor';
import { besideFile, cacheFile, conversionKey } from '../../src/engine/infer/ort-cache';
import { builtinModelDir } from '../../src/engine/infer/model-source';
import { openInferRuntime } from '../../src/engine/infer/ort-runtime';
import { saveModel } from '../../src/engine/models/io';
import { selectRuntime } from '../../src/engine/runtime/select';
import { maxAbsDiff } from '../helpers/onnx';
import { perturbedResUNet, saveTinyModel } from '../integration/infer-support';

const software = { checkAdapter: async () => ({ hardware: false, detail: 'software adapter (test)' }) };
const tile = new Float32Array(16 * 16 * 3).map((_, i) => ((i * 37) % 101) / 100);
let root: string;

beforeAll(async () => {
  await selectRuntime();
  root = await mkdtemp(path.join(os.tmpdir(), 'deblur-onnx-cache-'));
  process.env.DEBLUR_CACHE_DIR = path.join(root, 'user-cache');
});
afterAll(async () => {
  delete process.env.DEBLUR_CACHE_DIR;
  await rm(root, { recursive: true, force: true });
});

/** Opens the ONNX runtime for the model in dir; checks its output against TF.js on one tile. */
async function openAndCheck(dir: string) {
  const loaded = await loadInferenceModel(dir);
  const engine = await openInferRuntime(loaded, { providerEnv: software });
  try {
    expect(engine.report).toMatchObject({ runtime: 'onnx', provider: 'cpu' });
    const got = await engine.predict(tile, 16, 16);
    const expected = await modelPredictor(loaded.model)(tile, 16, 16);
    expect(maxAbsDiff(got, expected)).toBeLessThanOrEqual(1e-4);
    return { file: engine.onnxFile, notes: engine.notes };
  } finally {
    await engine.release();
    loaded.model.dispose();
  }
}

describe('ONNX conversion cache', () => {
  it('converts once beside the model, then reuses the file', async () => {
    const dir = await saveTinyModel(path.join(root, 'a'));
    const first = await openAndCheck(dir);
    expect(first.file).toBe(besideFile(dir, await conversionKey(dir)));
    expect(first.notes[0]).toMatch(/^converted to ONNX: /);
    const second = await openAndCheck(dir);
    expect(second.file).toBe(first.file);
    expect(second.notes[0]).toMatch(/^ONNX model from the cache: /);
  });

  it('a damaged cached file is converted again', async () => {
    const dir = await saveTinyModel(path.join(root, 'b'));
    const file = besideFile(dir, await conversionKey(dir));
    await writeFile(file, 'not a protobuf at all');
    const r = await openAndCheck(dir);
    expect(r.notes[0]).toMatch(/the cached ONNX model was unreadable .*; converted again/);
    expect(r.file).toBe(file);
  });

  it('a model folder it cannot write into sends the conversion to the user cache', async () => {
    const dir = await saveTinyModel(path.join(root, 'c'));
    const key = await conversionKey(dir);
    await mkdir(besideFile(dir, key)); // a folder where the file should go: the write beside fails
    const r = await openAndCheck(dir);
    expect(r.file).toBe(cacheFile(key));
    expect(r.notes.join('\n')).toMatch(/not cached beside the model \(cannot write .*model\.[0-9a-f]{16}\.onnx/);
    expect(existsSync(cacheFile(key))).toBe(true);
  });

  it('a built-in model’s conversion goes to the user cache, never into the installation’s folder', async () => {
    // the blind model, kept selectable beside the default one: once written beside itself into resources/models
    const dir = builtinModelDir('blind');
    const before = await readdir(dir);
    const r = await openAndCheck(dir);
    expect(r.file).toBe(cacheFile(await conversionKey(dir)));
    expect(await readdir(dir)).toEqual(before);
  });

  it('new weights get a new conversion; the old weights’ file goes', async () => {
    const dir = await saveTinyModel(path.join(root, 'd'));
    const before = await openAndCheck(dir);
    const retrained = perturbedResUNet(undefined, 'tiny-resunet', 0.05);
    await saveModel(retrained, dir);
    retrained.dispose();
    const after = await openAndCheck(dir); // checks the new numbers against TF.js with the new weights
    expect(after.file).not.toBe(before.file);
    expect((await readdir(dir)).filter((n) => n.endsWith('.onnx'))).toEqual([path.basename(after.file!)]);
  });
});
