import * as tf from '../models/tf';
import type { Adam } from './adam';
import type { LossFunction } from './losses';

/** A batch of training pairs: N images of H×W×3, float32 in [0, 1], HWC interleaved. */
export interface PairBatch {
  blurred: Float32Array;
  sharp: Float32Array;
  n: number;
  height: number;
  width: number;
}

/**
 * One optimisation step: forward, loss, gradients, Adam update. Returns the batch loss.
 * `imageWeights` (one per image) weigh the images in the loss (see LossFunction).
 * The loss is read before the update: a non-finite loss returns without touching the weights,
 * so the model in memory (and every checkpoint) stays the last good one.
 * Every tensor it creates is disposed before it returns.
 */
export async function trainStep(model: tf.LayersModel, adam: Adam, lossFn: LossFunction, batch: PairBatch, lr: number, imageWeights?: Float32Array): Promise<number> {
  const weights = adam.slots.map((s) => s.weight);
  const shape: [number, number, number, number] = [batch.n, batch.height, batch.width, 3];
  const { value, grads } = tf.tidy(() => {
    const x = tf.tensor4d(batch.blurred, shape);
    const y = tf.tensor4d(batch.sharp, shape);
    const w = imageWeights ? tf.tensor1d(imageWeights) : undefined;
    return tf.variableGrads(() => lossFn(model.apply(x, { training: true }) as tf.Tensor, y, w), weights);
  });
  try {
    const loss = (await value.data())[0] as number;
    if (Number.isFinite(loss)) adam.apply(adam.slots.map((s) => gradientOf(grads, s.weight, s.name)), lr);
    return loss;
  } finally {
    value.dispose();
    tf.dispose(Object.values(grads));
  }
}

function gradientOf(grads: tf.NamedTensorMap, weight: tf.Variable, name: string): tf.Tensor {
  const g = grads[weight.name];
  if (!g) throw new Error(`weight "${name}" gets no gradient from the loss (is it used by the model's output?)`);
  return g;
}
