import * as tf from '../models/tf';

/**
 * Losses between a model's output and the sharp target, both [N,H,W,C] in [0,1]. Each is a mean (over
 * every element, or over the images of the batch), so its scale does not depend on batch or patch size.
 */
export type LossName = 'mse' | 'l1' | 'charbonnier' | 'psnr';
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

/** The PSNR loss's cap: an image already within 60 dB of its target adds (almost) no gradient. */
export const PSNR_LOSS_FLOOR_MSE = 1e-6;

/**
 * −PSNR of each image, averaged over the batch (the PSNR loss of NAFNet, Chen et al. 2022):
 * mean_i 10·log10(MSE_i + 1e-6). Every image counts by its own relative error, so a nearly sharp
 * input (tiny MSE) weighs as much as a blurred one: the loss that keeps a σ 0.3 input untouched while
 * a plain MSE lets it be sharpened. Also the metric the evaluation reports.
 */
export function psnrLoss(output: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const perImage = tf.mean(tf.squaredDifference(output, target), [1, 2, 3]);
    return tf.mul(tf.mean(tf.log(tf.add(perImage, PSNR_LOSS_FLOOR_MSE))), 10 / Math.LN10);
  });
}

export function lossFunction(name: LossName): LossFunction {
  switch (name) {
    case 'mse':
      return mseLoss;
    case 'l1':
      return l1Loss;
    case 'charbonnier':
      return (output, target) => charbonnierLoss(output, target);
    case 'psnr':
      return psnrLoss;
    default:
      throw new Error(`unknown loss "${String(name)}"; available: mse, l1, charbonnier, psnr`);
  }
}
