import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layersModelToOnnx } from '../../src/engine/export/onnx/convert-layers-model';
import { OnnxExportError } from '../../src/engine/export/onnx/errors';
import { decodeOnnxModel } from '../../src/engine/export/onnx/onnx-proto';
import { ONNX_SCHEMA } from '../../src/engine/export/onnx/onnx-schema';
import { permute } from '../../src/engine/export/onnx/tensor-layout';
import { parseVendoredOnnxProto } from '../../src/engine/export/onnx/vendored-proto';
import { buildModel, listModels } from '../../src/engine/models/registry';
import { selectRuntime } from '../../src/engine/runtime/select';
import * as tf from '../../src/engine/runtime/tf';
import { checkOnnxFiles, maxAbsDiff, onnxCheckerMissing, randomizeWeights } from '../helpers/onnx';

const dir = mkdtempSync(path.join(os.tmpdir(), 'deblur-onnx-export-'));
const written: string[] = [];

beforeAll(async () => {
  await selectRuntime();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** TF.js's and ONNX Runtime's outputs on the same random NHWC input. */
async function bothRuntimes(model: tf.LayersModel, bytes: Uint8Array, shape: [number, number, number, number]) {
  const x = tf.randomUniform(shape, 0, 1, 'float32', 11);
  try {
    const expected = await (model.predict(x) as tf.Tensor).data();
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ input: new ort.Tensor('float32', (await x.data()) as Float32Array, shape) });
    await session.release();
    return { expected, got: out.output!.data as Float32Array, dims: out.output!.dims };
  } finally {
    x.dispose();
  }
}

describe('ONNX schema', () => {
  it('the generated module is the vendored onnx.proto (run scripts/gen-onnx-schema.ts after changing it)', () => {
    expect(ONNX_SCHEMA).toEqual(parseVendoredOnnxProto());
  });
});

describe('permute', () => {
  it('moves axes like numpy.transpose', () => {
    // shape [2, 3]: [[0 1 2] [3 4 5]] → transposed [[0 3] [1 4] [2 5]]
    const t = permute(Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 3], [1, 0]);
    expect(t.shape).toEqual([3, 2]);
    expect([...t.data]).toEqual([0, 3, 1, 4, 2, 5]);
  });
});

const allPresets = listModels().flatMap((m) => m.presets.map((p) => ({ model: m.name, preset: p.name, fixed: p.inputConstraint.fixed ?? null })));
// wiener-resunet is the resunet network fed another input (checked below): converting it again would test nothing new
const zoo = allPresets.filter((z) => z.model !== 'wiener-resunet');

describe('every zoo model exported to ONNX runs on ONNX Runtime like on TF.js', () => {
  it('covers the whole zoo', () => {
    expect(allPresets.map((z) => `${z.model}/${z.preset}`)).toEqual(['resunet/small', 'resunet/base', 'resunet/large', 'wiener-resunet/small', 'wiener-resunet/base', 'wiener-resunet/large', 'seed-autoencoder/default']);
    for (const preset of ['small', 'base', 'large']) {
      const [a, b] = [buildModel('resunet', preset), buildModel('wiener-resunet', preset)];
      try {
        const layers = (m: typeof a) => m.layers.map((l) => ({ cls: l.getClassName(), name: l.name, shapes: l.getWeights().map((w) => w.shape) }));
        expect(layers(b)).toEqual(layers(a));
      } finally {
        a.dispose();
        b.dispose();
      }
    }
  });

  it.each(zoo)('$model $preset: outputs within 1e-4 on random weights and input', async ({ model: name, preset, fixed }) => {
    const model = buildModel(name, preset);
    try {
      randomizeWeights(model, 3);
      const { bytes, opset } = layersModelToOnnx(model);
      expect(opset).toBeGreaterThanOrEqual(13);
      const file = path.join(dir, `${name}-${preset}.onnx`);
      writeFileSync(file, bytes);
      written.push(file);
      const input = decodeOnnxModel(bytes).graph.input[0]!.type.tensor_type.shape.dim;
      if (fixed) {
        expect(input).toEqual([{ dim_param: 'batch' }, { dim_value: fixed.height }, { dim_value: fixed.width }, { dim_value: 3 }]);
        const r = await bothRuntimes(model, bytes, [1, fixed.height, fixed.width, 3]);
        expect(maxAbsDiff(r.got, r.expected)).toBeLessThanOrEqual(1e-4);
      } else {
        // height and width are symbolic: one file serves two sizes (and a batch of two)
        expect(input).toEqual([{ dim_param: 'batch' }, { dim_param: 'height' }, { dim_param: 'width' }, { dim_value: 3 }]);
        for (const shape of [[2, 24, 40, 3], [1, 48, 16, 3]] as Array<[number, number, number, number]>) {
          const r = await bothRuntimes(model, bytes, shape);
          expect(r.dims).toEqual(shape);
          expect(maxAbsDiff(r.got, r.expected)).toBeLessThanOrEqual(1e-4);
          expect(maxAbsDiff(r.got, new Float32Array(r.got.length))).toBeGreaterThan(0.05); // not a trivial output
        }
      }
    } finally {
      model.dispose();
    }
  });

  const missing = onnxCheckerMissing();
  it.skipIf(missing !== null)(`every exported file passes onnx.checker.check_model${missing ? ` (skipped: ${missing})` : ''}`, () => {
    expect(written.length).toBe(zoo.length);
    const r = checkOnnxFiles(written);
    expect(r.output).not.toMatch(/Error/);
    expect(r.ok).toBe(true);
  });
});

describe('layers beyond the zoo', () => {
  it('pooling, upsampling, batch norm, activation layers, merges and dense on features match TF.js', async () => {
    const input = tf.input({ shape: [null, null, 3] });
    const c = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'elu' }).apply(input) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(c) as tf.SymbolicTensor;
    const mp = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }).apply(bn) as tf.SymbolicTensor;
    const ap = tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(mp) as tf.SymbolicTensor;
    const up = tf.layers.upSampling2d({ size: [2, 2] }).apply(ap) as tf.SymbolicTensor;
    const ct = tf.layers.conv2dTranspose({ filters: 6, kernelSize: 3, strides: 1, padding: 'valid', activation: 'tanh' }).apply(bn) as tf.SymbolicTensor;
    const cropped = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'valid' }).apply(ct) as tf.SymbolicTensor;
    const mul = tf.layers.multiply().apply([up, cropped]) as tf.SymbolicTensor;
    const avg = tf.layers.average().apply([mul, bn]) as tf.SymbolicTensor;
    const act = tf.layers.activation({ activation: 'sigmoid' }).apply(avg) as tf.SymbolicTensor;
    const leaky = tf.layers.leakyReLU({ alpha: 0.2 }).apply(tf.layers.maximum().apply([act, c]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const dense = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(leaky) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: dense, name: 'extras' });
    try {
      randomizeWeights(model, 5);
      // moving variance must stay positive
      const bnLayer = model.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
      const [gamma, beta, mean, variance] = bnLayer.getWeights();
      bnLayer.setWeights([gamma!, beta!, mean!, tf.abs(variance!).add(0.5)]);
      const { bytes, ops } = layersModelToOnnx(model);
      expect(ops).toEqual(expect.arrayContaining(['AveragePool', 'BatchNormalization', 'LeakyRelu', 'MatMul', 'Max', 'MaxPool', 'Resize', 'Softmax']));
      const r = await bothRuntimes(model, bytes, [1, 12, 20, 3]);
      expect(r.dims).toEqual([1, 12, 20, 3]);
      expect(maxAbsDiff(r.got, r.expected)).toBeLessThanOrEqual(1e-4);
    } finally {
      model.dispose();
    }
  });

  it('refuses a layer it does not map, naming its class and name', () => {
    const input = tf.input({ shape: [16, 16, 3] });
    const sep = tf.layers.separableConv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'sep1' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: sep });
    try {
      let error: unknown;
      try {
        layersModelToOnnx(model);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(OnnxExportError);
      expect((error as OnnxExportError).layerClass).toBe('SeparableConv2D');
      expect((error as Error).message).toMatch(/layer sep1 is a SeparableConv2D, which the exporter does not map/);
    } finally {
      model.dispose();
    }
  });
});
