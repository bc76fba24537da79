import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine/models/tf';
import { selectRuntime } from '../../src/engine/runtime/select';
import { imageWeights } from '../../src/engine/train/training-loop';
import { CHARBONNIER_EPSILON, charbonnierLoss, l1Loss, lossFunction, mseLoss, psnrLoss, PSNR_LOSS_FLOOR_MSE } from '../../src/engine/train/losses';

beforeAll(async () => {
  await selectRuntime();
});

const value = (t: tf.Scalar): number => {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
};

describe('pixel losses', () => {
  const out = [0.1, 0.5, 0.9, 0.0];
  const target = [0.2, 0.5, 0.6, 1.0];
  const diffs = out.map((o, i) => o - (target[i] as number));
  const t = (v: number[]) => tf.tensor4d(v, [1, 2, 2, 1]);

  it('MSE, L1 and Charbonnier match their formulas', () => {
    const mse = diffs.reduce((s, d) => s + d * d, 0) / diffs.length;
    const l1 = diffs.reduce((s, d) => s + Math.abs(d), 0) / diffs.length;
    const eps2 = CHARBONNIER_EPSILON ** 2;
    const charb = diffs.reduce((s, d) => s + Math.sqrt(d * d + eps2), 0) / diffs.length;
    expect(value(mseLoss(t(out), t(target)))).toBeCloseTo(mse, 6);
    expect(value(l1Loss(t(out), t(target)))).toBeCloseTo(l1, 6);
    expect(value(charbonnierLoss(t(out), t(target)))).toBeCloseTo(charb, 6);
    expect(CHARBONNIER_EPSILON).toBe(1e-3);
  });

  it('Charbonnier is ε for identical images and has a finite gradient there (L1 has none)', () => {
    const x = t(out);
    expect(value(charbonnierLoss(x, t(out)))).toBeCloseTo(CHARBONNIER_EPSILON, 7);
    const g = tf.grad((y: tf.Tensor) => charbonnierLoss(y, x))(t(out));
    expect(Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
    g.dispose();
  });

  it('the PSNR loss is minus the mean per-image PSNR, capped by its floor', () => {
    // two 1×2×2×1 images: one off by the diffs above, one off by 1/255 everywhere
    const second = [0.5, 0.5, 0.5, 0.5];
    const x = tf.tensor4d([...out, ...second.map((v) => v + 1 / 255)], [2, 2, 2, 1]);
    const y = tf.tensor4d([...target, ...second], [2, 2, 2, 1]);
    const mse1 = diffs.reduce((s, d) => s + d * d, 0) / diffs.length;
    const mse2 = (1 / 255) ** 2;
    const expected = (10 * Math.log10(mse1 + PSNR_LOSS_FLOOR_MSE) + 10 * Math.log10(mse2 + PSNR_LOSS_FLOOR_MSE)) / 2;
    expect(value(psnrLoss(x, y))).toBeCloseTo(expected, 4);
    // identical images: −60 dB, the cap, not −∞
    expect(value(psnrLoss(y, y))).toBeCloseTo(-60, 4);
    // each image counts by its own relative error: the nearly exact image gets the larger gradient per pixel
    const g = tf.grad((o: tf.Tensor) => psnrLoss(o, y))(x);
    const gv = g.dataSync();
    const firstMax = Math.max(...Array.from(gv.slice(0, 4), Math.abs));
    expect(Math.abs(gv[4] as number)).toBeGreaterThan(firstMax);
    g.dispose();
    x.dispose();
    y.dispose();
  });

  it('per-image weights make a weighted mean over the images of the batch, for every loss', () => {
    const x = tf.tensor4d([...out, 0.5, 0.5, 0.5, 0.5], [2, 2, 2, 1]);
    const y = tf.tensor4d([...target, 0.5, 0.5, 0.5, 0.75], [2, 2, 2, 1]);
    const first = tf.tensor4d(out, [1, 2, 2, 1]);
    const firstTarget = tf.tensor4d(target, [1, 2, 2, 1]);
    for (const name of ['mse', 'l1', 'charbonnier', 'psnr'] as const) {
      const loss = lossFunction(name);
      // weight 0 on the second image: the loss of the first alone
      expect(value(loss(x, y, tf.tensor1d([3, 0]))), name).toBeCloseTo(value(loss(first, firstTarget)), 5);
      // equal weights: the unweighted loss
      expect(value(loss(x, y, tf.tensor1d([2, 2]))), name).toBeCloseTo(value(loss(x, y)), 5);
    }
    // weights 1 and 3 for MSE: (mse₁ + 3·mse₂) / 4
    const mse1 = diffs.reduce((s, d) => s + d * d, 0) / 4;
    const mse2 = 0.25 ** 2 / 4;
    expect(value(mseLoss(x, y, tf.tensor1d([1, 3])))).toBeCloseTo((mse1 + 3 * mse2) / 4, 6);
    tf.dispose([x, y, first, firstTarget]);
  });

  it('a run weighs each image by its blur level, 1 for levels not named, and not at all without level weights', () => {
    const items = [{ level: 3 }, { level: 7 }, { level: 11 }, { level: 3 }];
    expect(Array.from(imageWeights(items, { '3': 10, '11': 2 })!)).toEqual([10, 1, 2, 10]);
    expect(imageWeights(items, null)).toBeUndefined();
  });

  it('lossFunction picks by name and refuses unknown names', () => {
    expect(value(lossFunction('mse')(t([1, 1, 1, 1]), t([0, 0, 0, 0])))).toBe(1);
    expect(value(lossFunction('l1')(t([0.5, 0.5, 0.5, 0.5]), t([0, 0, 0, 0])))).toBe(0.5);
    expect(() => lossFunction('huber' as never)).toThrow(/unknown loss "huber"/);
  });

  it('creates no lasting tensors', () => {
    const a = t(out);
    const b = t(target);
    const before = tf.memory().numTensors;
    for (const name of ['mse', 'l1', 'charbonnier', 'psnr'] as const) lossFunction(name)(a, b).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
