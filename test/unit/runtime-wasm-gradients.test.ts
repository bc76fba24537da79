/**
 * Training on wasm computes the same gradients as tfjs's cpu backend: for each layer type the
 * engine's models use, the gradients of a loss with respect to every weight and to the input, and
 * one Adam step of a small conv net.
 */
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectRuntime } from '../../src/engine/runtime/select';
import * as tf from '../../src/engine/runtime/tf';

type LayerArgs = Parameters<typeof tf.layers.conv2d>[0];

beforeAll(async () => {
  const report = await selectRuntime({ force: 'wasm', threads: 1 });
  expect(report.backend).toBe('wasm');
});

function values(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(seed * 12.9898 + i * 78.233) * scale;
  return out;
}

interface Case {
  name: string;
  input: number[];
  layers: () => tf.layers.Layer[];
  loss?: (out: tf.Tensor, target: tf.Tensor) => tf.Scalar;
  /** Integer inputs (Embedding). */
  intInput?: number;
  batch?: number;
}

const mse = (o: tf.Tensor, t: tf.Tensor) => tf.mean(tf.square(tf.sub(o, t))) as tf.Scalar;
const l1 = (o: tf.Tensor, t: tf.Tensor) => tf.mean(tf.abs(tf.sub(o, t))) as tf.Scalar;
const charbonnier = (o: tf.Tensor, t: tf.Tensor) => tf.mean(tf.sqrt(tf.add(tf.square(tf.sub(o, t)), 1e-6))) as tf.Scalar;
const conv = (a: Partial<LayerArgs>) => tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', ...a } as LayerArgs);

const CASES: Case[] = [
  { name: 'Conv2D stride 1 same + bias + ReLU, MSE', input: [6, 6, 2], layers: () => [conv({ activation: 'relu', filters: 4 })] },
  { name: 'Conv2D stride 2 same, L1', input: [7, 7, 2], layers: () => [conv({ strides: 2 })], loss: l1 },
  { name: 'Conv2D stride 2 valid + sigmoid, Charbonnier', input: [9, 9, 2], layers: () => [conv({ strides: 2, padding: 'valid', activation: 'sigmoid' })], loss: charbonnier },
  { name: 'Conv2DTranspose stride 2 same', input: [4, 4, 3], layers: () => [tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' })] },
  { name: 'Conv2DTranspose stride 2 valid, kernel 4', input: [3, 3, 2], layers: () => [tf.layers.conv2dTranspose({ filters: 2, kernelSize: 4, strides: 2, padding: 'valid' })] },
  { name: 'Flatten + Dense + sigmoid', input: [3, 3, 2], layers: () => [tf.layers.flatten(), tf.layers.dense({ units: 4, activation: 'sigmoid' })] },
  { name: 'Reshape + Dense + tanh', input: [3, 3, 2], layers: () => [tf.layers.reshape({ targetShape: [9, 2] }), tf.layers.dense({ units: 3, activation: 'tanh' })] },
  // Batch 1: the cpu reference's ResizeNearestNeighborGrad is wrong for later images of a batch
  // (runtime-wasm-kernels.test.ts checks wasm's against the exact block sums for batch 2).
  { name: 'UpSampling2D nearest + conv', input: [3, 3, 2], batch: 1, layers: () => [tf.layers.upSampling2d({ size: [2, 2] }), conv({})] },
  { name: 'UpSampling2D bilinear + conv', input: [3, 3, 2], layers: () => [tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }), conv({})] },
  { name: 'MaxPooling2D', input: [6, 6, 2], layers: () => [conv({}), tf.layers.maxPooling2d({ poolSize: 2 })] },
  { name: 'AveragePooling2D', input: [6, 6, 2], layers: () => [conv({}), tf.layers.averagePooling2d({ poolSize: 2 })] },
  { name: 'DepthwiseConv2D stride 2', input: [6, 6, 2], layers: () => [tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2 })] },
  { name: 'SeparableConv2D', input: [6, 6, 2], layers: () => [tf.layers.separableConv2d({ filters: 3, kernelSize: 3, padding: 'same' })] },
  { name: 'BatchNormalization + LeakyReLU', input: [4, 4, 2], layers: () => [conv({}), tf.layers.batchNormalization(), tf.layers.leakyReLU({ alpha: 0.2 })] },
  { name: 'Embedding + Dense', input: [5], intInput: 7, layers: () => [tf.layers.embedding({ inputDim: 7, outputDim: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] },
];

/** A functional graph with residual Add and Concatenate, the way the model zoo builds U-Nets. */
function residualConcatModel(): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 2] });
  const a = conv({ filters: 2, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([input, a]) as tf.SymbolicTensor;
  const down = conv({ filters: 2, strides: 2 }).apply(sum) as tf.SymbolicTensor;
  const up = tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' }).apply(down) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate().apply([sum, up]) as tf.SymbolicTensor;
  const out = conv({ filters: 2, kernelSize: 1, activation: 'sigmoid' }).apply(cat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

interface Gradients {
  weights: Float32Array[];
  input: Float32Array | null;
  loss: number;
}

/** Builds the model on `backend` with deterministic weights and returns d(loss)/d(weights, input). */
function gradientsOn(backend: 'wasm' | 'cpu', build: () => tf.LayersModel, c: Pick<Case, 'loss' | 'intInput' | 'batch'>): Gradients {
  tf.setBackend(backend);
  let result: Gradients | null = null;
  tf.tidy(() => {
    const model = build();
    model.setWeights(model.getWeights().map((w, i) => tf.tensor(values(w.size, i + 1, 0.5), w.shape)));
    const batch = c.batch ?? 2;
    const inShape = [batch, ...(model.inputs[0]!.shape.slice(1) as number[])];
    const x = c.intInput != null
      ? tf.tensor(Int32Array.from(values(inShape.reduce((a, b) => a * b), 9), (v) => Math.floor((v + 1) * 3.4) % c.intInput!), inShape, 'int32')
      : tf.tensor(values(inShape.reduce((a, b) => a * b), 11), inShape);
    const outShape = [batch, ...(model.outputs[0]!.shape.slice(1) as number[])];
    const target = tf.tensor(values(outShape.reduce((a, b) => a * b), 13), outShape);
    const lossFn = c.loss ?? mse;
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => lossFn(model.apply(x, { training: true }) as tf.Tensor, target), vars);
    const input = c.intInput != null ? null : tf.grad((xi: tf.Tensor) => lossFn(model.apply(xi, { training: true }) as tf.Tensor, target))(x);
    result = {
      weights: vars.map((v) => Float32Array.from(grads[v.name]!.dataSync())),
      input: input && Float32Array.from(input.dataSync()),
      loss: value.dataSync()[0]!,
    };
    model.dispose();
  });
  return result!;
}

function expectClose(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  let err = 0;
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  expect(err / scale, `${what}: max abs error ${err} vs scale ${scale}`).toBeLessThan(1e-4);
}

function expectSameGradients(build: () => tf.LayersModel, c: Pick<Case, 'loss' | 'intInput' | 'batch'> = {}): void {
  const want = gradientsOn('cpu', build, c);
  const got = gradientsOn('wasm', build, c);
  tf.setBackend('wasm');
  expect(got.loss).toBeCloseTo(want.loss, 5);
  expect(got.weights.length).toBe(want.weights.length);
  expect(want.weights.length).toBeGreaterThan(0);
  got.weights.forEach((g, i) => expectClose(g, want.weights[i]!, `weight ${i}`));
  if (want.input != null) expectClose(got.input!, want.input, 'input');
}

describe('layer gradients on wasm = cpu', () => {
  it.each(CASES)('$name', (c) => {
    const build = () => {
      const model = tf.sequential();
      c.layers().forEach((layer, i) => {
        if (i === 0) {
          // The first layer needs the input shape; a functional input keeps the layer list simple.
          const input = tf.input({ shape: c.input, dtype: c.intInput != null ? 'int32' : 'float32' });
          model.add(tf.layers.inputLayer({ batchInputShape: input.shape, dtype: input.dtype }));
        }
        model.add(layer);
      });
      return model;
    };
    expectSameGradients(build, c);
  });

  it('residual Add, Concatenate and a stride-2 down/up path', () => {
    expectSameGradients(residualConcatModel);
  });

  it('MirrorPad, Slice and Pad inside the loss', () => {
    const loss = (o: tf.Tensor, t: tf.Tensor) => {
      const padded = tf.mirrorPad(o as tf.Tensor4D, [[0, 0], [1, 1], [2, 2], [0, 0]], 'reflect');
      const cropped = tf.slice(tf.pad(padded, [[0, 0], [1, 0], [0, 1], [0, 0]]), [0, 1, 1, 0], [2, 6, 6, 3]);
      return mse(cropped, t);
    };
    expectSameGradients(() => tf.sequential({ layers: [conv({ inputShape: [6, 6, 2] })] }), { loss });
  });
});

describe('Adam training step on wasm = cpu', () => {
  it('updates the weights of a small conv net identically', () => {
    const stepOn = (backend: 'wasm' | 'cpu') => {
      tf.setBackend(backend);
      const model = residualConcatModel();
      model.setWeights(model.getWeights().map((w, i) => tf.tensor(values(w.size, i + 3, 0.5), w.shape)));
      const x = tf.tensor(values(2 * 6 * 6 * 2, 21), [2, 6, 6, 2]);
      const y = tf.tensor(values(2 * 6 * 6 * 2, 22), [2, 6, 6, 2]);
      const optimizer = tf.train.adam(0.01);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      for (let i = 0; i < 3; i++) {
        optimizer.minimize(() => mse(model.apply(x, { training: true }) as tf.Tensor, y), false, vars)?.dispose();
      }
      const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
      return weights;
    };
    const want = stepOn('cpu');
    const got = stepOn('wasm');
    tf.setBackend('wasm');
    got.forEach((w, i) => expectClose(w, want[i]!, `weight ${i}`));
  });
});
