/**
 * PyTorch export: the exported model.py with the exported weights computes what the app's model computes.
 * For every zoo model and preset, random weights (every layer non-zero, so a layout or padding mistake
 * shows), random input of a non-square size: torch's output equals TF.js's within 1e-4.
 */
import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine/models/tf';
import { buildModel } from '../../src/engine/models/registry';
import { saveModel } from '../../src/engine/models/io';
import { runExportPytorch } from '../../src/engine/export/pytorch/export-folder';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { runPython, torchMissing } from '../helpers/torch';

const missing = torchMissing();
let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(os.tmpdir(), 'pytorch-export-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const FORWARD = `
import sys, numpy as np, torch
sys.path.insert(0, sys.argv[1])
from model import load_exported
model, meta = load_exported(sys.argv[1])
n, h, w = (int(v) for v in sys.argv[3:6])
x = torch.from_numpy(np.fromfile(sys.argv[2], dtype="<f4").reshape(n, h, w, 3)).permute(0, 3, 1, 2)
with torch.no_grad():
    y = model.eval()(x).permute(0, 2, 3, 1).contiguous().numpy()
y.astype("<f4").tofile(sys.argv[6])
`;

const cases = [
  { model: 'resunet', preset: 'small', h: 16, w: 24 },
  { model: 'resunet', preset: 'base', h: 24, w: 16 },
  { model: 'resunet', preset: 'large', h: 16, w: 32 },
  // the kernel-aware model is the resunet network (fed Wiener outputs, which train.py makes): same layers, same forward
  { model: 'wiener-resunet', preset: 'small', h: 24, w: 32 },
  { model: 'seed-autoencoder', preset: 'default', h: 256, w: 448 },
];

describe.skipIf(missing !== null)('export --format pytorch: forward pass', () => {
  it.each(cases)('$model $preset: torch equals TF.js within 1e-4 on random input', async ({ model: name, preset, h, w }) => {
    const model = buildModel(name, preset);
    // Every weight random (the zero-initialised residual branches and tail too), at the scale of the initialisers.
    // Scaled by the fan-in so that 20 residual blocks keep activations near 1 and 1e-4 stays a tight bound.
    model.setWeights(
      model.getWeights().map((t, i) => {
        const fanIn = t.shape.length === 1 ? 1 : t.shape.slice(0, -1).reduce((a, b) => a * b, 1);
        return tf.tidy(() => tf.add(t, tf.randomNormal(t.shape, 0, t.shape.length === 1 ? 0.01 : 0.3 / Math.sqrt(fanIn), 'float32', i + 1)));
      }),
    );
    const modelDir = path.join(dir, `${name}-${preset}`);
    await saveModel(model, modelDir, { metadata: { model: name, preset } });
    const out = path.join(dir, `${name}-${preset}-torch`);
    const result = await runExportPytorch({ model: modelDir, out }, createTestContext());
    expect(result.files).toEqual(expect.arrayContaining(['model.py', 'train.py', 'README.md', 'export.json', 'weights.bin']));

    const x = tf.randomUniform([1, h, w, 3], 0, 1, 'float32', 7);
    const want = (await (model.predict(x) as tf.Tensor).data()) as Float32Array;
    const input = path.join(dir, 'in.bin');
    const output = path.join(dir, 'out.bin');
    await writeFile(input, new Uint8Array((await x.data()).buffer));
    runPython(FORWARD, [out, input, '1', String(h), String(w), output]);
    const got = new Float32Array((await readFile(output)).buffer.slice(0));
    expect(got.length).toBe(want.length);
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - want[i]!));
    const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(scale).toBeLessThan(100); // activations stayed O(1): an absolute 1e-4 means something
    expect(maxDiff).toBeLessThan(1e-4);
    // The correction is not trivially zero: the output differs from the input (a real test of the layers).
    const inputValues = await x.data();
    expect(want.some((v, i) => Math.abs(v - inputValues[i]!) > 1e-2)).toBe(true);
    model.dispose();
    x.dispose();
  }, 240_000);
});
