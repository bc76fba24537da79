/**
 * Training on webgpu computes the same gradients as tfjs's cpu backend, for every layer, loss and
 * optimizer path the trainer uses (resunet: Conv2D 3×3 and 2×2 stride 2, Conv2DTranspose 2×2 stride 2,
 * ReLU, Add, Concatenate; the seed autoencoder: Flatten, Dense, Reshape; MSE, L1, Charbonnier and PSNR
 * losses with per-image weights; the engine's Adam), plus pooling and upsampling. Tiny shapes: CI runs
 * this on a software Vulkan driver.
 */
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectRuntime } from '../../src/engine/runtime/select';
import * as tf from '../../src/engine/runtime/tf';
import { Adam } from '../../src/engine/train/adam';
import { charbonnierLoss, l1Loss, mseLoss, psnrLoss, type LossFunction } from '../../src/engine/train/losses';
import { webGpuAvailability, webGpuTitle } from './webgpu-support';

const gpu = await webGpuAvailability();

function values(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(seed * 12.9898 + i * 78.233) * scale;
  return out;
}
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const conv = (a: Record<string, unknown>) => tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', ...a } as Parameters<typeof tf.layers.conv2d>[0]);

interface Case {
  name: string;
  input: number[];
  layers: () => tf.layers.Layer[];
  loss?: LossFunction;
}

const CASES: Case[] = [
  { name: 'Conv2D 3×3 same + bias + ReLU, MSE', input: [6, 6, 2], layers: () => [conv({ activation: 'relu', filters: 4 })] },
  { name: 'Conv2D 2×2 stride 2 (resunet down), L1', input: [6, 6, 3], layers: () => [conv({ kernelSize: 2, strides: 2, padding: 'valid', filters: 4 })], loss: l1Loss },
  { name: 'Conv2DTranspose 2×2 stride 2 (resunet up), Charbonnier', input: [3, 3, 4], layers: () => [tf.layers.conv2dTranspose({ filters: 3, kernelSize: 2, strides: 2, padding: 'same' })], loss: charbonnierLoss },
  { name: 'Flatten + Dense + sigmoid + Reshape (seed autoencoder)', input: [3, 3, 2], layers: () => [tf.layers.flatten(), tf.layers.dense({ units: 18, activation: 'sigmoid' }), tf.layers.reshape({ targetShape: [3, 3, 2] })] },
  { name: 'MaxPooling2D + UpSampling2D bilinear', input: [6, 6, 2], layers: () => [conv({}), tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' })] },
];

/** resunet's shape in miniature: head, residual block, stride-2 down/up, skip concatenation, 1×1 fuse, global residual. */
function miniResUNet(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  const head = conv({ filters: 4, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const branch = conv({ filters: 4 }).apply(conv({ filters: 4, activation: 'relu' }).apply(head)) as tf.SymbolicTensor;
  const block = tf.layers.add().apply([head, branch]) as tf.SymbolicTensor;
  const down = conv({ filters: 6, kernelSize: 2, strides: 2, padding: 'valid' }).apply(block) as tf.SymbolicTensor;
  const up = tf.layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2, padding: 'same' }).apply(down) as tf.SymbolicTensor;
  const fused = conv({ filters: 4, kernelSize: 1 }).apply(tf.layers.concatenate().apply([block, up])) as tf.SymbolicTensor;
  const tail = conv({ filters: 3 }).apply(fused) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.add().apply([input, tail]) as tf.SymbolicTensor });
}

function deterministic(model: tf.LayersModel, seed: number): void {
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(values(w.size, i + seed, 0.5), w.shape)));
}

interface Gradients {
  loss: number;
  weights: Float32Array[];
  input: Float32Array;
}

/** d(loss)/d(weights, input) on `backend`; read asynchronously (webgpu has no synchronous reads in Node). */
async function gradientsOn(backend: 'webgpu' | 'cpu', build: () => tf.LayersModel, lossFn: LossFunction, imageWeights?: number[]): Promise<Gradients> {
  await tf.setBackend(backend);
  const model = build();
  deterministic(model, 1);
  const inShape = [2, ...(model.inputs[0]!.shape.slice(1) as number[])];
  const outShape = [2, ...(model.outputs[0]!.shape.slice(1) as number[])];
  const x = tf.tensor(values(size(inShape), 11), inShape);
  const target = tf.tensor(values(size(outShape), 13, 0.5), outShape);
  const w = imageWeights ? tf.tensor1d(imageWeights) : undefined;
  const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => lossFn(model.apply(x, { training: true }) as tf.Tensor, target, w), vars);
  const dx = tf.grad((xi: tf.Tensor) => lossFn(model.apply(xi, { training: true }) as tf.Tensor, target, w))(x);
  const result = {
    loss: (await value.data())[0]!,
    weights: await Promise.all(vars.map(async (v) => Float32Array.from(await grads[v.name]!.data()))),
    input: Float32Array.from(await dx.data()),
  };
  tf.dispose([x, target, value, dx, ...Object.values(grads), ...(w ? [w] : [])]);
  model.dispose();
  return result;
}

function expectClose(got: Float32Array, want: Float32Array, what: string, tolerance = 1e-4): void {
  expect(got.length, what).toBe(want.length);
  let err = 0;
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  expect(err / scale, `${what}: max abs error ${err} vs scale ${scale}`).toBeLessThan(tolerance);
}

async function expectSameGradients(build: () => tf.LayersModel, lossFn: LossFunction = mseLoss, imageWeights?: number[]): Promise<void> {
  const want = await gradientsOn('cpu', build, lossFn, imageWeights);
  const got = await gradientsOn('webgpu', build, lossFn, imageWeights);
  expect(got.loss).toBeCloseTo(want.loss, 4);
  expect(want.weights.length).toBeGreaterThan(0);
  got.weights.forEach((g, i) => expectClose(g, want.weights[i]!, `weight ${i}`));
  expectClose(got.input, want.input, 'input');
}

describe.runIf(gpu.ok)(webGpuTitle('webgpu gradients = cpu', gpu), () => {
  beforeAll(async () => {
    const report = await selectRuntime({ force: 'webgpu' });
    expect(report.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
  });

  it.each(CASES)('$name', async (c) => {
    const build = () => {
      const model = tf.sequential();
      model.add(tf.layers.inputLayer({ inputShape: c.input }));
      for (const layer of c.layers()) model.add(layer);
      return model;
    };
    await expectSameGradients(build, c.loss);
  });

  it('mini resunet (residual Add, Concatenate, down/up path), PSNR loss with per-image weights', async () => {
    await expectSameGradients(miniResUNet, psnrLoss, [1, 3]);
  });

  it("three steps of the engine's Adam update the weights as on cpu", async () => {
    const stepsOn = async (backend: 'webgpu' | 'cpu') => {
      await tf.setBackend(backend);
      const model = miniResUNet();
      deterministic(model, 3);
      const adam = new Adam(model.trainableWeights.map((w) => ({ name: w.originalName, variable: w.read() as tf.Variable })));
      const x = tf.tensor(values(2 * 8 * 8 * 3, 21, 0.5), [2, 8, 8, 3]);
      const y = tf.tensor(values(2 * 8 * 8 * 3, 22, 0.5), [2, 8, 8, 3]);
      for (let i = 0; i < 3; i++) {
        const { value, grads } = tf.variableGrads(() => mseLoss(model.apply(x, { training: true }) as tf.Tensor, y), adam.slots.map((s) => s.weight));
        adam.apply(adam.slots.map((s) => grads[s.weight.name]!), 0.01);
        tf.dispose([value, ...Object.values(grads)]);
      }
      const weights = await Promise.all(model.getWeights().map(async (w) => Float32Array.from(await w.data())));
      tf.dispose([x, y]);
      adam.dispose();
      model.dispose();
      return weights;
    };
    const want = await stepsOn('cpu');
    const got = await stepsOn('webgpu');
    got.forEach((w, i) => expectClose(w, want[i]!, `weight ${i}`));
  });
});
