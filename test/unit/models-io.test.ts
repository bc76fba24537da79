import '@tensorflow/tfjs-backend-cpu';
import { fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine/models/tf';
import { ModelFileError } from '../../src/engine/models/errors';
import { loadModel, readModelJson, readModelMetadata, saveModel } from '../../src/engine/models/io';
import { buildResUNet } from '../../src/engine/models/resunet';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TINY = { widths: [4, 8], blocks: [1], bottleneckBlocks: 1 };

let root: string;
let input: tf.Tensor;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'models-io-'));
  input = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 3);
});

afterAll(async () => {
  input.dispose();
  await fs.rm(root, { recursive: true, force: true });
});

/** A tiny resunet with random weights everywhere (its zero-initialised layers would hide weight mix-ups). */
function randomModel(seed: number): tf.LayersModel {
  const model = buildResUNet(TINY, 'tiny');
  model.setWeights(model.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.2, 'float32', seed * 1000 + i)));
  return model;
}

function predict(model: tf.LayersModel): Float32Array {
  return tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync() as Float32Array);
}

function disposeAll(...models: tf.LayersModel[]): void {
  for (const m of models) m.dispose();
}

async function newDir(name: string): Promise<string> {
  return fs.mkdtemp(path.join(root, `${name}-`)).then((d) => path.join(d, 'model'));
}

async function siblings(dir: string): Promise<string[]> {
  return (await fs.readdir(path.dirname(dir))).sort();
}

describe('saveModel / loadModel round trip', () => {
  it('gives back identical weights, predictions and metadata in the standard layers format', async () => {
    const dir = await newDir('roundtrip');
    const model = randomModel(1);
    const metadata = { model: 'resunet', preset: 'tiny', training: { epochs: 3, psnr: [21.5, 23.25] } };
    await saveModel(model, dir, { metadata });

    expect(await siblings(dir)).toEqual(['model']); // no temp folder left behind
    expect((await fs.readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = await readModelJson(dir);
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    expect(await readModelMetadata(dir)).toEqual(metadata);

    const loaded = await loadModel(dir);
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const after = loaded.getWeights().map((w) => Array.from(w.dataSync()));
    expect(after).toEqual(before);
    expect(predict(loaded)).toEqual(predict(model));
    expect(loaded.getUserDefinedMetadata()).toEqual(metadata);

    // TF.js's own loader reads the same files: the format is the standard one.
    const bytes = await fs.readFile(path.join(dir, 'weights.bin'));
    const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const viaTf = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData }),
    );
    expect(predict(viaTf)).toEqual(predict(model));
    disposeAll(model, loaded, viaTf);
  });

  it('replaces a previous model and merges metadata over the model’s own', async () => {
    const dir = await newDir('replace');
    const first = randomModel(2);
    await saveModel(first, dir, { metadata: { version: 1 } });
    const second = randomModel(3);
    second.setUserDefinedMetadata({ from: 'model', version: 0 });
    await saveModel(second, dir, { metadata: { version: 2 } });
    const loaded = await loadModel(dir);
    expect(predict(loaded)).toEqual(predict(second));
    expect(predict(loaded)).not.toEqual(predict(first));
    expect(await readModelMetadata(dir)).toEqual({ from: 'model', version: 2 });
    expect(await siblings(dir)).toEqual(['model']);
    disposeAll(first, second, loaded);
  });

  it('stores and restores the optimizer state when asked (to resume training)', async () => {
    const dir = await newDir('optimizer');
    const model = randomModel(4);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    await model.trainOnBatch(input, tf.zerosLike(input));
    await saveModel(model, dir, { includeOptimizer: true });
    const json = await readModelJson(dir);
    expect(json.trainingConfig).toBeDefined();
    expect(json.weightsManifest[0]!.weights.some((w) => w.group === 'optimizer')).toBe(true);
    const loaded = await loadModel(dir);
    expect(predict(loaded)).toEqual(predict(model));
    const optimizerWeights = await loaded.optimizer.getWeights();
    expect(optimizerWeights.length).toBe((await model.optimizer.getWeights()).length);
    disposeAll(model, loaded);
  });

  it('refuses metadata that JSON cannot carry', async () => {
    const dir = await newDir('badmeta');
    const model = randomModel(5);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(saveModel(model, dir, { metadata: cyclic })).rejects.toThrow(/metadata is not JSON-serialisable/);
    await expect(fs.stat(dir)).rejects.toThrow();
    model.dispose();
  });
});

describe('loadModel errors', () => {
  let good: string;
  beforeAll(async () => {
    good = await newDir('good');
    const model = randomModel(6);
    await saveModel(model, good);
    model.dispose();
  });

  async function brokenCopy(name: string, change: (dir: string) => Promise<void>): Promise<string> {
    const dir = await newDir(name);
    await fs.cp(good, dir, { recursive: true });
    await change(dir);
    return dir;
  }

  async function expectLoadError(dir: string, message: string | RegExp): Promise<void> {
    const err = await loadModel(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as Error).message).toMatch(message);
  }

  it('says when the folder or its model.json is missing', async () => {
    await expectLoadError(path.join(root, 'does-not-exist'), /model folder .*does-not-exist does not exist/);
    const empty = await brokenCopy('nojson', (d) => fs.rm(path.join(d, 'model.json')));
    await expectLoadError(empty, /no model\.json in .*: not a saved model folder/);
  });

  it('says when model.json is corrupt or not a layers model', async () => {
    const truncatedJson = await brokenCopy('badjson', async (d) => {
      const text = await fs.readFile(path.join(d, 'model.json'), 'utf8');
      await fs.writeFile(path.join(d, 'model.json'), text.slice(0, text.length / 2));
    });
    await expectLoadError(truncatedJson, /model\.json is corrupt \(not valid JSON/);
    const noTopology = await brokenCopy('notopology', (d) =>
      fs.writeFile(path.join(d, 'model.json'), JSON.stringify({ weightsManifest: [] })),
    );
    await expectLoadError(noTopology, /is not a TF\.js layers model: modelTopology is missing/);
    const graph = await brokenCopy('graphmodel', async (d) => {
      const json = JSON.parse(await fs.readFile(path.join(d, 'model.json'), 'utf8'));
      await fs.writeFile(path.join(d, 'model.json'), JSON.stringify({ ...json, format: 'graph-model' }));
    });
    await expectLoadError(graph, /format is "graph-model", expected "layers-model"/);
    const unknownLayer = await brokenCopy('unknownlayer', async (d) => {
      const text = await fs.readFile(path.join(d, 'model.json'), 'utf8');
      await fs.writeFile(path.join(d, 'model.json'), text.replaceAll('"Conv2DTranspose"', '"NoSuchLayer"'));
    });
    await expectLoadError(unknownLayer, /does not describe a model TF\.js can build: .*NoSuchLayer/);
  });

  it('says when weights.bin is missing, truncated, too long, or outside the folder', async () => {
    const expectedBytes = (await fs.stat(path.join(good, 'weights.bin'))).size;
    const missing = await brokenCopy('noweights', (d) => fs.rm(path.join(d, 'weights.bin')));
    await expectLoadError(missing, /weights file .*weights\.bin is missing \(listed in model\.json\)/);
    const short = await brokenCopy('short', (d) => fs.truncate(path.join(d, 'weights.bin'), expectedBytes - 4));
    await expectLoadError(
      short,
      new RegExp(`weights\\.bin in .* is truncated: ${expectedBytes - 4} bytes, .*exactly ${expectedBytes} bytes`),
    );
    const long = await brokenCopy('long', (d) => fs.appendFile(path.join(d, 'weights.bin'), Buffer.alloc(8)));
    await expectLoadError(long, /is longer than its manifest/);
    const escaping = await brokenCopy('escape', async (d) => {
      const json = JSON.parse(await fs.readFile(path.join(d, 'model.json'), 'utf8'));
      json.weightsManifest[0].paths = ['../../weights.bin'];
      await fs.writeFile(path.join(d, 'model.json'), JSON.stringify(json));
    });
    await expectLoadError(escaping, /lists a weights path outside the folder: \.\.\/\.\.\/weights\.bin/);
  });
});

describe('interrupted saves keep the previous model', () => {
  it('a save that fails midway (injected write failure) leaves the old model and no temp folder', async () => {
    const dir = await newDir('failing');
    const old = randomModel(7);
    await saveModel(old, dir);
    const next = randomModel(8);
    const failingWrite = async (file: string, data: Uint8Array | string) => {
      await fs.writeFile(file, typeof data === 'string' ? data : data.subarray(0, data.byteLength / 2));
      throw new Error('disk full (injected)');
    };
    await expect(saveModel(next, dir, { writeFile: failingWrite })).rejects.toThrow('disk full (injected)');
    expect(await siblings(dir)).toEqual(['model']);
    const loaded = await loadModel(dir);
    expect(predict(loaded)).toEqual(predict(old));
    disposeAll(old, next, loaded);
  });

  it('a process killed in the middle of a save leaves the old model loadable; the next save cleans up', async () => {
    const dir = await newDir('killed');
    const old = randomModel(9);
    await saveModel(old, dir);

    const child = await writeChildScript(dir);
    const proc = fork(child, [dir], { cwd: REPO, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    proc.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      proc.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    const midSave = await new Promise<boolean>((resolve) => {
      proc.on('message', (m) => m === 'weights written' && resolve(true));
      proc.on('exit', () => resolve(false));
    });
    expect(midSave, `child did not reach the middle of its save: ${stderr}`).toBe(true);
    proc.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const leftovers = (await siblings(dir)).filter((n) => n !== 'model');
    expect(leftovers).toHaveLength(1); // the killed save's temp folder, holding only its weights
    const loaded = await loadModel(dir);
    expect(predict(loaded)).toEqual(predict(old));

    const next = randomModel(10);
    await saveModel(next, dir);
    expect(await siblings(dir)).toEqual(['model']);
    disposeAll(old, loaded, next);
  });

  it('a save killed between the two renames of the swap is repaired on load', async () => {
    const dir = await newDir('swap');
    const old = randomModel(11);
    await saveModel(old, dir);
    // The state replaceDirAtomic leaves after renaming the old folder aside and before moving the new one in.
    await fs.rename(dir, `${dir}.old-99999-0badf00d`);
    const loaded = await loadModel(dir);
    expect(predict(loaded)).toEqual(predict(old));
    expect(await siblings(dir)).toEqual(['model']);

    // The next save also clears that state up, whether or not anything loaded in between.
    await fs.rename(dir, `${dir}.old-99999-0badf00d`);
    const next = randomModel(12);
    await saveModel(next, dir);
    expect(await siblings(dir)).toEqual(['model']);
    const reloaded = await loadModel(dir);
    expect(predict(reloaded)).toEqual(predict(next));
    disposeAll(old, loaded, next, reloaded);
  });
});

/** A script that starts saving a different model into `dir` and parks once its weights are written. */
async function writeChildScript(dir: string): Promise<string> {
  const url = (p: string) => JSON.stringify(pathToFileURL(p).href);
  const cpuBackend = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-cpu');
  // Next to the test's folders, not inside the model's parent, whose listing the test checks.
  const file = path.join(root, `save-and-hang-${path.basename(path.dirname(dir))}.mts`);
  await fs.writeFile(
    file,
    `import ${url(cpuBackend)};
import * as tf from ${url(path.join(REPO, 'src/engine/models/tf.ts'))};
import { saveModel } from ${url(path.join(REPO, 'src/engine/models/io.ts'))};
import { buildResUNet } from ${url(path.join(REPO, 'src/engine/models/resunet.ts'))};
import { promises as fs } from 'node:fs';
await tf.setBackend('cpu');
const model = buildResUNet(${JSON.stringify(TINY)}, 'tiny');
await saveModel(model, process.argv[2], {
  writeFile: async (file, data) => {
    await fs.writeFile(file, data);
    if (file.endsWith('weights.bin')) {
      process.send('weights written');
      await new Promise(() => setInterval(() => {}, 1000));
    }
  },
});
`,
  );
  return file;
}
