import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRawImage, type RawImage } from '../../src/engine/image/raw-image';
import { deblurTiled } from '../../src/engine/infer/deblur-image';
import { deblurImage, modelPredictor, tileShapeOf } from '../../src/engine/infer/model-predictor';
import { buildModel } from '../../src/engine/models/registry';
import { selectRuntime } from '../../src/engine/runtime/select';
import * as tf from '../../src/engine/runtime/tf';
import { fixturePath, readPngRaw } from '../helpers/fixtures';
import { perturbedResUNet } from '../integration/infer-support';

/** Max and mean absolute difference of two 8-bit images. */
function diff(a: RawImage, b: RawImage): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.data.length };
}

let model: tf.LayersModel;
let photo: RawImage;

beforeAll(async () => {
  await selectRuntime();
  model = perturbedResUNet();
  photo = await readPngRaw(fixturePath('photos', 'ladybird-300x170.png'), 3);
});
afterAll(() => model.dispose());

describe('deblurImage with a fully convolutional model', () => {
  it('reads the stride multiple from the model and the fixed size from a dense one', () => {
    expect(tileShapeOf(model)).toEqual({ multipleOf: 4 });
    const resunet = buildModel('resunet', 'small');
    expect(tileShapeOf(resunet)).toEqual({ multipleOf: 8 });
    resunet.dispose();
  });

  it('changes the image (the test model is not the identity)', async () => {
    const whole = await deblurImage(model, photo, { tile: 4096 });
    expect(diff(whole, photo).mean).toBeGreaterThan(1);
  });

  it('gives the same result tiled as in one pass (within rounding)', async () => {
    const whole = await deblurImage(model, photo, { tile: 4096 });
    const tiled = await deblurImage(model, photo, { tile: 96, overlap: 32 });
    const d = diff(tiled, whole);
    expect(d.max).toBeLessThanOrEqual(2);
    expect(d.mean).toBeLessThan(0.02);
  });

  it('shows no seams on a constant image', async () => {
    const flat = createRawImage(200, 120, 3);
    flat.data.fill(140);
    const whole = await deblurImage(model, flat, { tile: 4096 });
    const tiled = await deblurImage(model, flat, { tile: 64, overlap: 32 });
    expect(diff(tiled, whole).max).toBeLessThanOrEqual(1);
    // no step between neighbouring pixels that the one-pass output does not have too
    const maxStep = (img: RawImage) => {
      let m = 0;
      for (let y = 0; y < img.height; y++) for (let x = 1; x < img.width; x++) m = Math.max(m, Math.abs(img.data[(y * img.width + x) * 3]! - img.data[(y * img.width + x - 1) * 3]!));
      return m;
    };
    expect(maxStep(tiled)).toBeLessThanOrEqual(maxStep(whole) + 1);
  });

  for (const [w, h] of [
    [1, 1],
    [7, 5],
    [37, 23],
  ] as const) {
    it(`handles a ${w}×${h} image (not a multiple of the stride)`, async () => {
      const img = createRawImage(w, h, 3);
      for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37) % 256;
      const whole = await deblurImage(model, img, { tile: 4096 });
      const tiled = await deblurImage(model, img, { tile: 24, overlap: 12 });
      expect([tiled.width, tiled.height, tiled.channels]).toEqual([w, h, 3]);
      if (w > 24 || h > 24) {
        expect(diff(tiled, whole).max).toBeLessThanOrEqual(2);
        expect(diff(tiled, whole).mean).toBeLessThan(0.1);
      }
      else expect(diff(tiled, whole).max).toBe(0);
    });
  }

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await deblurImage(model, photo, { tile: 128, overlap: 32 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('deblurImage with the fixed-size seed autoencoder', () => {
  it('runs 448×256 tiles on images smaller and larger than that', async () => {
    const seed = buildModel('seed-autoencoder');
    try {
      const shape = tileShapeOf(seed);
      expect(shape).toEqual({ fixed: { width: 448, height: 256 } });
      const sizes: string[] = [];
      const predict = modelPredictor(seed);
      const recording = async (input: Float32Array, w: number, h: number) => {
        sizes.push(`${w}×${h}`);
        return predict(input, w, h);
      };
      const small = await deblurTiled(recording, photo, shape);
      expect([small.width, small.height]).toEqual([300, 170]);
      const big = createRawImage(500, 300, 3);
      big.data.fill(90);
      const out = await deblurTiled(recording, big, shape);
      expect([out.width, out.height]).toEqual([500, 300]);
      expect(sizes).toHaveLength(1 + 4);
      expect(new Set(sizes)).toEqual(new Set(['448×256']));
    } finally {
      seed.dispose();
    }
  });
});
