import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine/models/tf';
import { selectRuntime } from '../../src/engine/runtime/select';
import { Adam, ADAM_DEFAULTS } from '../../src/engine/train/adam';
import { OPTIMIZER_BIN, readAdamState, restoreAdam, snapshotAdam, writeAdamState } from '../../src/engine/train/optimizer-state';

let dir: string;
beforeAll(async () => {
  await selectRuntime();
  dir = await mkdtemp(path.join(os.tmpdir(), 'train-optimizer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Two weights and a fixed quadratic loss whose gradient is easy to write down: g = 2 (w − target). */
function problem(init: { a: number[]; b: number[] }) {
  const a = tf.variable(tf.tensor1d(init.a), true);
  const b = tf.variable(tf.tensor2d(init.b, [2, 2]), true);
  const target = { a: [0.5, -1, 2], b: [1, 2, 3, 4] };
  const grads = (): tf.Tensor[] =>
    tf.tidy(() => [tf.mul(tf.sub(a, tf.tensor1d(target.a)), 2), tf.mul(tf.sub(b, tf.tensor2d(target.b, [2, 2])), 2)]);
  const adam = new Adam([
    { name: 'layer/a', variable: a },
    { name: 'layer/b', variable: b },
  ]);
  const step = (lr: number) => {
    const g = grads();
    adam.apply(g, lr);
    tf.dispose(g);
  };
  return { a, b, adam, step, target, dispose: () => (adam.dispose(), a.dispose(), b.dispose()) };
}

describe('Adam', () => {
  it('follows the Keras update rule (checked against a float64 reference)', () => {
    const init = { a: [1, 2, 3], b: [0, 0, 0, 0] };
    const p = problem(init);
    const { beta1, beta2, epsilon } = ADAM_DEFAULTS;
    const w = [...init.a, ...init.b];
    const t = [...p.target.a, ...p.target.b];
    const m = w.map(() => 0);
    const v = w.map(() => 0);
    const lrs = [0.1, 0.05, 0.05, 0.01, 0.2];
    lrs.forEach((lr, k) => {
      p.step(lr);
      const step = k + 1;
      const alpha = (lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
      w.forEach((wi, i) => {
        const g = 2 * (wi - (t[i] as number));
        m[i] = beta1 * (m[i] as number) + (1 - beta1) * g;
        v[i] = beta2 * (v[i] as number) + (1 - beta2) * g * g;
        w[i] = wi - (alpha * (m[i] as number)) / (Math.sqrt(v[i] as number) + epsilon);
      });
    });
    const got = [...p.a.dataSync(), ...p.b.dataSync()];
    got.forEach((g, i) => expect(g).toBeCloseTo(w[i] as number, 5));
    expect(p.adam.iterations).toBe(5);
    p.dispose();
  });

  it('keeps the number of live tensors flat across updates', () => {
    const p = problem({ a: [1, 2, 3], b: [1, 1, 1, 1] });
    p.step(0.1);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) p.step(0.1);
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
  });

  it('refuses a weight name used twice and bad hyper-parameters', () => {
    const x = tf.variable(tf.zeros([1]));
    expect(() => new Adam([{ name: 'x', variable: x }, { name: 'x', variable: x }])).toThrow(/"x" appears twice/);
    expect(() => new Adam([{ name: 'x', variable: x }], { beta1: 1, beta2: 0.9, epsilon: 1e-7 })).toThrow(/β1/);
    x.dispose();
  });
});

describe('Adam state on disk', () => {
  it('saves m, v and t, and a restored optimizer continues bit-identically', async () => {
    const p = problem({ a: [1, 2, 3], b: [4, 3, 2, 1] });
    for (let i = 0; i < 7; i++) p.step(0.05);
    const saved = await snapshotAdam(p.adam, 0.05);
    expect(saved.weights.map((w) => [w.name, w.shape])).toEqual([
      ['layer/a', [3]],
      ['layer/b', [2, 2]],
    ]);
    await writeAdamState(dir, saved);
    const read = await readAdamState(dir);
    expect(read).toEqual(saved);

    // A second process would rebuild the weights from the saved model, then restore the optimizer.
    const q = problem({ a: Array.from(p.a.dataSync()), b: Array.from(p.b.dataSync()) });
    restoreAdam(q.adam, read);
    const restored = await snapshotAdam(q.adam, 0.05);
    expect(restored).toEqual(saved);

    for (let i = 0; i < 5; i++) {
      p.step(0.02);
      q.step(0.02);
    }
    expect(Array.from(q.a.dataSync())).toEqual(Array.from(p.a.dataSync()));
    expect(Array.from(q.b.dataSync())).toEqual(Array.from(p.b.dataSync()));
    expect(await snapshotAdam(q.adam, 0.02)).toEqual(await snapshotAdam(p.adam, 0.02));
    p.dispose();
    q.dispose();
  });

  it('refuses a state made for other weights, and a truncated file', async () => {
    const p = problem({ a: [1, 2, 3], b: [4, 3, 2, 1] });
    p.step(0.1);
    const saved = await snapshotAdam(p.adam, 0.1);
    const other = tf.variable(tf.zeros([3]));
    const wrong = new Adam([{ name: 'layer/a', variable: other }]);
    expect(() => restoreAdam(wrong, saved)).toThrow(/for 2 weights, the model has 1/);
    const renamed = { ...saved, weights: [{ ...saved.weights[0]!, name: 'layer/z' }, saved.weights[1]!] };
    expect(() => restoreAdam(p.adam, renamed)).toThrow(/weight 0 is "layer\/z" \[3\], the model's is "layer\/a" \[3\]/);

    await writeAdamState(dir, saved);
    const bin = await readFile(path.join(dir, OPTIMIZER_BIN));
    await writeFile(path.join(dir, OPTIMIZER_BIN), bin.subarray(0, bin.length - 4));
    await expect(readAdamState(dir)).rejects.toThrow(/has 52 bytes, expected 56/);
    wrong.dispose();
    other.dispose();
    p.dispose();
  });
});
