/**
 * The kernels registered for wasm (registerWasmTrainingKernels) against tfjs's cpu backend, the
 * reference: each kernel directly, on small random tensors over strides, paddings and shapes.
 */
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectRuntime } from '../../src/engine/runtime/select';
import * as tf from '../../src/engine/runtime/tf';
import { ADDED_KERNELS, REPLACED_KERNELS, registerWasmTrainingKernels } from '../../src/engine/runtime/wasm/register-training-kernels';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
type Shape4 = [number, number, number, number];

beforeAll(async () => {
  const report = await selectRuntime({ force: 'wasm', threads: 1 });
  expect(report.backend).toBe('wasm');
});

/** Deterministic pseudo-random values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) | 0;
    out[i] = ((s >>> 8) / 2 ** 24) * 2 - 1;
  }
  return out;
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Runs `kernel` on `backend` with fresh tensors made from `inputs`; returns the output values. */
function runOn(
  backend: 'wasm' | 'cpu',
  kernel: string,
  inputs: Record<string, { shape: number[]; data: Float32Array | Int32Array; dtype?: tf.DataType }>,
  attrs: Record<string, unknown>,
): { shape: number[]; data: Float32Array } {
  tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.data, v.shape, v.dtype ?? 'float32')]),
  );
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { shape: out.shape, data: Float32Array.from(out.dataSync()) };
  tf.dispose([out, ...Object.values(tensors)]);
  expect(tf.memory().numTensors).toBe(before);
  tf.setBackend('wasm');
  return result;
}

/** Max abs difference, relative to the reference's largest magnitude (at least 1). */
function relError(got: Float32Array, want: Float32Array): number {
  let err = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return err / scale;
}

function expectSameOnWasmAndCpu(kernel: string, inputs: Parameters<typeof runOn>[2], attrs: Record<string, unknown>) {
  const want = runOn('cpu', kernel, inputs, attrs);
  const got = runOn('wasm', kernel, inputs, attrs);
  expect(got.shape).toEqual(want.shape);
  expect(relError(got.data, want.data)).toBeLessThan(1e-5);
  // The cases must exercise something: an all-zero gradient would match trivially.
  expect(want.data.some((v) => Math.abs(v) > 1e-3)).toBe(true);
}

function outShape(x: Shape4, filter: Shape4, strides: number | [number, number], pad: Pad, depthwise: boolean): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(x, filter, strides, 1, pad, undefined, depthwise);
  return info.outShape as Shape4;
}

const CONV_CASES: Array<{ x: Shape4; f: Shape4; strides: number | [number, number]; pad: Pad }> = [
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 2, pad: 'valid' },
  { x: [1, 10, 7, 2], f: [4, 4, 2, 3], strides: 2, pad: 'same' },
  { x: [1, 11, 9, 2], f: [5, 3, 2, 3], strides: [3, 2], pad: 'valid' },
  { x: [1, 8, 8, 2], f: [1, 1, 2, 3], strides: 2, pad: 'valid' },
  { x: [2, 6, 6, 2], f: [2, 2, 2, 2], strides: 2, pad: 'same' },
  { x: [1, 7, 7, 2], f: [3, 3, 2, 2], strides: 1, pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
];

const label = (c: (typeof CONV_CASES)[number]) => `x ${c.x} filter ${c.f} strides ${c.strides} pad ${JSON.stringify(c.pad)}`;

describe('registerWasmTrainingKernels', () => {
  it('registers the kernels wasm lacks, once (idempotent)', () => {
    registerWasmTrainingKernels();
    const first = [...ADDED_KERNELS, ...REPLACED_KERNELS].map((k) => tf.getKernel(k, 'wasm'));
    registerWasmTrainingKernels();
    const second = [...ADDED_KERNELS, ...REPLACED_KERNELS].map((k) => tf.getKernel(k, 'wasm'));
    expect(first.every((k) => k != null)).toBe(true);
    expect(second).toEqual(first);
  });
});

describe.each(CONV_CASES)('Conv2D gradients on wasm = cpu: $x $f $strides $pad', (c) => {
  const dyShape = outShape(c.x, c.f, c.strides, c.pad, false);
  const x = { shape: c.x, data: values(size(c.x), 1) };
  const filter = { shape: c.f, data: values(size(c.f), 2) };
  const dy = { shape: dyShape, data: values(size(dyShape), 3) };

  it(`Conv2DBackpropFilter (${label(c)})`, () => {
    expectSameOnWasmAndCpu('Conv2DBackpropFilter', { x, dy }, {
      strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f,
    });
  });

  it(`Conv2DBackpropInput (${label(c)})`, () => {
    expectSameOnWasmAndCpu('Conv2DBackpropInput', { dy, filter }, {
      strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x,
    });
  });
});

describe('depthwise gradients on wasm = cpu', () => {
  const cases: Array<{ x: Shape4; f: Shape4; strides: number; pad: Pad }> = [
    { x: [2, 8, 8, 3], f: [3, 3, 3, 2], strides: 1, pad: 'same' },
    { x: [2, 9, 9, 3], f: [3, 3, 3, 1], strides: 2, pad: 'same' },
    { x: [1, 9, 8, 2], f: [3, 2, 2, 3], strides: 2, pad: 'valid' },
  ];
  it.each(cases)('DepthwiseConv2dNativeBackpropFilter and -Input: $x $f $strides $pad', (c) => {
    const dyShape = outShape(c.x, c.f, c.strides, c.pad, true);
    const x = { shape: c.x, data: values(size(c.x), 4) };
    const filter = { shape: c.f, data: values(size(c.f), 5) };
    const dy = { shape: dyShape, data: values(size(dyShape), 6) };
    expectSameOnWasmAndCpu('DepthwiseConv2dNativeBackpropFilter', { x, dy }, {
      strides: c.strides, pad: c.pad, dilations: 1, filterShape: c.f,
    });
    expectSameOnWasmAndCpu('DepthwiseConv2dNativeBackpropInput', { dy, filter }, {
      strides: c.strides, pad: c.pad, dilations: 1, inputShape: c.x,
    });
  });
});

describe('UnsortedSegmentSum on wasm = cpu', () => {
  it('sums rows per segment and drops negative ids', () => {
    const x = { shape: [6, 2, 3], data: values(36, 7) };
    const segmentIds = { shape: [6], data: Int32Array.from([2, 0, 2, -1, 3, 0]), dtype: 'int32' as const };
    expectSameOnWasmAndCpu('UnsortedSegmentSum', { x, segmentIds }, { numSegments: 4 });
  });

  it('handles int32 data and multi-dimensional ids', () => {
    const x = { shape: [2, 3, 2], data: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), dtype: 'int32' as const };
    const segmentIds = { shape: [2, 3], data: Int32Array.from([0, 1, 0, 1, 1, 2]), dtype: 'int32' as const };
    const got = runOn('wasm', 'UnsortedSegmentSum', { x, segmentIds }, { numSegments: 3 });
    expect(got.shape).toEqual([3, 2]);
    expect(Array.from(got.data)).toEqual([1 + 5, 2 + 6, 3 + 7 + 9, 4 + 8 + 10, 11, 12]);
  });
});

describe('MaxPoolGrad on wasm = cpu (tfjs-wasm\'s own drops all-negative windows)', () => {
  const cases: Array<{ x: Shape4; size: number; strides: number; pad: 'same' | 'valid' }> = [
    { x: [2, 4, 4, 3], size: 2, strides: 2, pad: 'valid' },
    { x: [1, 7, 7, 2], size: 3, strides: 2, pad: 'same' },
    { x: [1, 5, 6, 2], size: 3, strides: 1, pad: 'same' },
    { x: [2, 5, 5, 1], size: 2, strides: 2, pad: 'same' },
  ];
  it.each(cases)('$x pool $size stride $strides $pad', (c) => {
    // Mostly negative inputs, with ties, so every window kind occurs.
    const xData = values(size(c.x), 8).map((v) => Math.round((v - 0.6) * 8) / 8);
    tf.setBackend('cpu');
    const y = tf.tidy(() => tf.maxPool(tf.tensor(xData, c.x) as tf.Tensor4D, c.size, c.strides, c.pad));
    const yInput = { shape: y.shape, data: Float32Array.from(y.dataSync()) };
    y.dispose();
    expectSameOnWasmAndCpu('MaxPoolGrad', {
      dy: { shape: yInput.shape, data: values(size(yInput.shape), 9) },
      input: { shape: c.x, data: xData },
      output: yInput,
    }, { filterSize: c.size, strides: c.strides, pad: c.pad });
  });
});

describe('ResizeNearestNeighborGrad on wasm', () => {
  it('sums each 2×2 block of dy for every image of a batch (tfjs cpu gets later images wrong)', () => {
    const dy = values(2 * 6 * 4 * 3, 10);
    const got = runOn('wasm', 'ResizeNearestNeighborGrad', {
      images: { shape: [2, 3, 2, 3], data: new Float32Array(2 * 3 * 2 * 3) },
      dy: { shape: [2, 6, 4, 3], data: dy },
    }, { alignCorners: false, halfPixelCenters: false });
    const want = new Float32Array(2 * 3 * 2 * 3);
    for (let b = 0; b < 2; b++) {
      for (let y = 0; y < 6; y++) {
        for (let x = 0; x < 4; x++) {
          for (let c = 0; c < 3; c++) {
            want[((b * 3 + (y >> 1)) * 2 + (x >> 1)) * 3 + c]! += dy[((b * 6 + y) * 4 + x) * 3 + c]!;
          }
        }
      }
    }
    expect(relError(got.data, want)).toBeLessThan(1e-6);
  });
});

describe('Sum on wasm = cpu', () => {
  const x = { shape: [3, 4, 5, 6], data: values(360, 12) };
  it.each([
    { axis: [0, 1, 2], keepDims: false },
    { axis: [0, 1, 2], keepDims: true },
    { axis: [1, 0], keepDims: false },
    { axis: 0, keepDims: false },
    { axis: [1, 2], keepDims: false },
    { axis: [0, 1, 2, 3], keepDims: false },
    { axis: [3], keepDims: true },
  ])('axis $axis keepDims $keepDims', (attrs) => {
    expectSameOnWasmAndCpu('Sum', { x }, attrs);
  });
});

describe('Identity on wasm', () => {
  it('shares the buffer safely: the clone outlives its source', () => {
    const source = tf.tensor1d([1, 2, 3]);
    const clone = tf.clone(source);
    source.dispose();
    expect(Array.from(clone.dataSync())).toEqual([1, 2, 3]);
    clone.dispose();
  });
});
