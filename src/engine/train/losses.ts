import * as tf from '../models/tf';

/**
 * Pixel losses between a model's output and the sharp target, both [N,H,W,C] in [0,1].
 * Each returns the mean over every element, so its scale does not depend on batch or patch size.
 */
export type LossName = 'mse' | 'l1' | 'charbonnier';
export type LossFunction = (output: tf.Tensor, target: tf.Tensor) => tf.Scalar;

/** Charbonnier's ε: small enough to act like L1 on visible errors, smooth (differentiable) at 0. */
export const CHARBONNIER_EPSILON = 1e-3;

export function mseLoss(output: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(output, target)));
}

export function l1Loss(output: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(output, target))));
}

/** mean(√((x − y)² + ε²)) (Charbonnier 1994; the usual robust loss of deblurring papers). */
export function charbonnierLoss(output: tf.Tensor, target: tf.Tensor, epsilon = CHARBONNIER_EPSILON): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sqrt(tf.add(tf.squaredDifference(output, target), epsilon * epsilon))));
}

export function lossFunction(name: LossName): LossFunction {
  switch (name) {
    case 'mse':
      return mseLoss;
    case 'l1':
      return l1Loss;
    case 'charbonnier':
      return (output, target) => charbonnierLoss(output, target);
    default:
      throw new Error(`unknown loss "${String(name)}"; available: mse, l1, charbonnier`);
  }
}
