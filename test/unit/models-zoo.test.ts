import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine/models/tf';
import { ModelTooLargeError, UnknownModelError } from '../../src/engine/models/errors';
import { assertInputFits, inputConstraintOf, paddedSizeFor } from '../../src/engine/models/input-constraint';
import {
  assertTrainable,
  buildModel,
  getModelInfo,
  getPresetInfo,
  listModels,
  MAX_PARAMS,
} from '../../src/engine/models/registry';
import { buildResUNet, RESUNET_PRESETS, resunetParamCount } from '../../src/engine/models/resunet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('seed-autoencoder', () => {
  let seed: tf.LayersModel;
  beforeAll(() => {
    seed = buildModel('seed-autoencoder');
  });
  afterAll(() => seed.dispose());

  it('reproduces the seed exactly: 14,758,819 parameters with the original per-layer counts', () => {
    expect(seed.countParams()).toBe(14_758_819);
    const counts = seed.layers.filter((l) => l.countParams() > 0).map((l) => l.countParams());
    expect(counts).toEqual([224, 1_168, 4_640, 7_340_160, 7_397_376, 9_248, 4_624, 1_160, 219]);
    expect(seed.inputs[0]!.shape).toEqual([null, 256, 448, 3]);
    expect(seed.outputs[0]!.shape).toEqual([null, 256, 448, 3]);
    expect(getPresetInfo('seed-autoencoder').params).toBe(14_758_819);
  });

  it('has the seed topology: flatten to 57,344, dense 128, reshape to 32×56×32, sigmoid output', () => {
    const byName = new Map(seed.layers.map((l) => [l.name, l]));
    expect(byName.get('flatten')!.outputShape).toEqual([null, 57_344]);
    expect(byName.get('bottleneck')!.outputShape).toEqual([null, 128]);
    expect(byName.get('reshape')!.outputShape).toEqual([null, 32, 56, 32]);
    expect((byName.get('output')!.getConfig() as { activation: string }).activation).toBe('sigmoid');
  });

  it('rejects any size but 448×256 with a message that names both sizes', () => {
    const constraint = inputConstraintOf(seed);
    expect(constraint).toEqual({ fixed: { width: 448, height: 256 } });
    expect(() => assertInputFits(constraint, 64, 64, 'seed-autoencoder')).toThrow(
      'seed-autoencoder takes only 448×256 (width×height) inputs; got 64×64',
    );
    expect(() => assertInputFits(constraint, 448, 256)).not.toThrow();
    // The model itself refuses the tensor as well, before computing anything.
    const wrong = tf.zeros([1, 64, 64, 3]);
    expect(() => seed.predict(wrong)).toThrow(/256,448,3/);
    wrong.dispose();
    expect(listModels().find((m) => m.name === 'seed-autoencoder')!.description).toContain('448×256');
  });

  it('is under the trainable limit', () => {
    expect(() => assertTrainable(seed)).not.toThrow();
  });
});

describe('resunet', () => {
  it('lists each preset with the parameter count of the built model, all ≤ 15 M', () => {
    const info = listModels().find((m) => m.name === 'resunet')!;
    expect(info.presets.map((p) => p.name)).toEqual(['small', 'base', 'large']);
    const expected = { small: 252_611, base: 2_315_883, large: 10_164_451 };
    for (const preset of info.presets) {
      const model = buildModel('resunet', preset.name);
      try {
        expect(model.countParams()).toBe(preset.params);
        expect(preset.params).toBe(expected[preset.name as keyof typeof expected]);
        expect(preset.params).toBeLessThanOrEqual(MAX_PARAMS);
        expect(preset.inputConstraint).toEqual({ multipleOf: 8 });
        expect(inputConstraintOf(model)).toEqual(preset.inputConstraint);
        expect(model.name).toBe(`resunet-${preset.name}`);
        expect(preset.description.length).toBeGreaterThan(20);
      } finally {
        model.dispose();
      }
    }
    expect(info.defaultPreset).toBe('small');
    expect(info.description).toMatch(/U-Net/);
  });

  it('uses only standard Keras layer classes (convertible model.json)', () => {
    const model = buildModel('resunet', 'small');
    const classes = new Set(model.layers.map((l) => l.getClassName()));
    model.dispose();
    expect([...classes].sort()).toEqual(['Add', 'Concatenate', 'Conv2D', 'Conv2DTranspose', 'InputLayer']);
  });

  it('counts parameters analytically for other configurations too', () => {
    const config = { widths: [8, 12], blocks: [2], bottleneckBlocks: 3 };
    const model = buildResUNet(config, 'custom');
    expect(model.countParams()).toBe(resunetParamCount(config));
    model.dispose();
    expect(resunetParamCount(RESUNET_PRESETS.small)).toBe(252_611);
  });

  it('takes several sizes that are multiples of 8 and starts as the identity', () => {
    const model = buildModel('resunet', 'small');
    for (const [h, w] of [
      [64, 64],
      [40, 96],
      [8, 24],
    ] as const) {
      const x = tf.randomUniform([1, h, w, 3], 0, 1, 'float32', 7);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([1, h, w, 3]);
      const maxDiff = tf.max(tf.abs(tf.sub(y, x))).dataSync()[0]!;
      expect(maxDiff).toBeLessThan(1e-6);
      tf.dispose([x, y]);
    }
    expect(() => assertInputFits(inputConstraintOf(model), 100, 64, 'resunet')).toThrow(
      'resunet takes any size whose width and height are multiples of 8; got 100×64',
    );
    expect(paddedSizeFor(inputConstraintOf(model), 100, 64)).toEqual({ width: 104, height: 64 });
    model.dispose();
  });

  it('moves away from the identity after one training step (the zero-initialised layers learn)', async () => {
    const model = buildModel('resunet', 'small');
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 1);
    const target = tf.sub(1, x);
    await model.trainOnBatch(x, target);
    const y = model.predict(x) as tf.Tensor;
    const moved = tf.max(tf.abs(tf.sub(y, x))).dataSync()[0]!;
    expect(moved).toBeGreaterThan(1e-4);
    tf.dispose([x, target, y]);
    model.dispose();
  });
});

describe('registry', () => {
  it('refuses models over the parameter limit with the count and the limit in the message', () => {
    const model = buildModel('resunet', 'small');
    try {
      expect(() => assertTrainable(model, 100_000)).toThrow(ModelTooLargeError);
      expect(() => assertTrainable(model, 100_000)).toThrow(
        'resunet-small has 252,611 parameters, more than the limit of 100,000 trainable here',
      );
      expect(() => assertTrainable(model)).not.toThrow();
    } finally {
      model.dispose();
    }
    const err = new ModelTooLargeError(20_000_000, MAX_PARAMS, 'big');
    expect(err.message).toContain('20,000,000');
    expect(err.message).toContain('15,000,000');
  });

  it('says how each model restores: wiener-resunet is the kernel-aware twin of resunet (same presets and sizes)', () => {
    const [blind, aware] = [getModelInfo('resunet'), getModelInfo('wiener-resunet')];
    expect(blind.restoration).toBe('blind');
    expect(aware.restoration).toBe('kernel-aware');
    expect(getModelInfo('seed-autoencoder').restoration).toBe('blind');
    expect(aware.presets.map((p) => [p.name, p.params])).toEqual(blind.presets.map((p) => [p.name, p.params]));
    expect(buildModelName('wiener-resunet', 'small')).toBe('wiener-resunet-small');
  });

  it('names what exists when asked for an unknown model or preset', () => {
    expect(() => buildModel('nope')).toThrow(UnknownModelError);
    expect(() => buildModel('nope')).toThrow('unknown model "nope"; available: resunet, wiener-resunet, seed-autoencoder');
    expect(() => buildModel('resunet', 'huge')).toThrow('model "resunet" has no preset "huge"; available: small, base, large');
  });

  it('returns copies, so callers cannot change the zoo', () => {
    const first = listModels();
    first[0]!.presets[0]!.params = 1;
    expect(listModels()[0]!.presets[0]!.params).not.toBe(1);
  });
});

function buildModelName(model: string, preset: string): string {
  const m = buildModel(model, preset);
  try {
    return m.name;
  } finally {
    m.dispose();
  }
}
