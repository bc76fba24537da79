import { cp, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInferenceModel } from '../../src/engine/infer/load-model';
import { resolveModelSource } from '../../src/engine/infer/model-source';
import { ModelFileError } from '../../src/engine/models/errors';
import { selectRuntime } from '../../src/engine/runtime/select';
import { saveTinyModel } from '../integration/infer-support';

let root: string;
let modelDir: string;

beforeAll(async () => {
  await selectRuntime();
  root = await mkdtemp(path.join(os.tmpdir(), 'deblur-model-source-'));
  modelDir = await saveTinyModel(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A run folder as training makes it: config.json, checkpoints/<kinds>. */
async function makeRun(name: string, kinds: Array<'best' | 'last'>): Promise<string> {
  const run = path.join(root, name);
  await mkdir(path.join(run, 'checkpoints'), { recursive: true });
  await writeFile(path.join(run, 'config.json'), '{}');
  for (const kind of kinds) await cp(modelDir, path.join(run, 'checkpoints', kind), { recursive: true });
  return run;
}

describe('resolveModelSource', () => {
  it('takes a model folder, or its model.json', async () => {
    expect(await resolveModelSource(modelDir)).toEqual({ requested: modelDir, dir: modelDir, runDir: null, checkpoint: null });
    expect((await resolveModelSource(path.join(modelDir, 'model.json'))).dir).toBe(modelDir);
  });

  it('takes a run folder: its best checkpoint, else its last', async () => {
    const both = await makeRun('run-both', ['best', 'last']);
    expect(await resolveModelSource(both)).toMatchObject({ dir: path.join(both, 'checkpoints', 'best'), runDir: both, checkpoint: 'best' });
    const lastOnly = await makeRun('run-last', ['last']);
    expect(await resolveModelSource(lastOnly)).toMatchObject({ dir: path.join(lastOnly, 'checkpoints', 'last'), runDir: lastOnly, checkpoint: 'last' });
  });

  it("keeps the link to the run when given a run's checkpoint folder", async () => {
    const run = await makeRun('run-ckpt', ['last']);
    expect(await resolveModelSource(path.join(run, 'checkpoints', 'last'))).toMatchObject({ runDir: run, checkpoint: 'last' });
  });

  it('explains what is wrong with a bad model parameter', async () => {
    await expect(resolveModelSource('models/x')).rejects.toThrow(/neither a built-in model \(default, blind\) nor an absolute path/);
    await expect(resolveModelSource(path.join(root, 'nope'))).rejects.toThrow(/does not exist/);
    const empty = await makeRun('run-empty', []);
    await expect(resolveModelSource(empty)).rejects.toThrow(/no checkpoints\/best or checkpoints\/last.*without a saved checkpoint yet/);
    await expect(resolveModelSource('default', { defaultDir: path.join(root, 'not-installed') })).rejects.toThrow(/default model is not installed/);
  });

  it('resolves "default" to the installed default model', async () => {
    expect((await resolveModelSource('default', { defaultDir: modelDir })).dir).toBe(modelDir);
  });
});

describe('loadInferenceModel', () => {
  it('loads the model with its metadata and input constraint', async () => {
    const loaded = await loadInferenceModel(modelDir);
    try {
      expect(loaded.shape).toEqual({ multipleOf: 4 });
      expect(loaded.metadata).toMatchObject({ architecture: 'resunet' });
      expect(loaded.params).toBeGreaterThan(1000);
    } finally {
      loaded.model.dispose();
    }
  });

  it('names the folder and the problem for a corrupt model.json or damaged weights', async () => {
    const corrupt = path.join(root, 'corrupt');
    await cp(modelDir, corrupt, { recursive: true });
    await writeFile(path.join(corrupt, 'model.json'), '{"modelTopology": ');
    await expect(loadInferenceModel(corrupt)).rejects.toThrow(ModelFileError);
    await expect(loadInferenceModel(corrupt)).rejects.toThrow(/model\.json is corrupt/);

    const truncated = path.join(root, 'truncated');
    await cp(modelDir, truncated, { recursive: true });
    await truncate(path.join(truncated, 'weights.bin'), 100);
    await expect(loadInferenceModel(truncated)).rejects.toThrow(/weights\.bin .* is truncated/);

    const missing = path.join(root, 'missing-weights');
    await cp(modelDir, missing, { recursive: true });
    await rm(path.join(missing, 'weights.bin'));
    await expect(loadInferenceModel(missing)).rejects.toThrow(/weights file .*weights\.bin is missing/);
  });
});
