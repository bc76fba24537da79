import * as tf from '../models/tf';

/**
 * Losses between a model's output and the sharp target, both [N,H,W,C] in [0,1]. Each is a mean (over
 * every element, or over the images of the batch), so its scale does not depend on batch or patch size.
 */
export type LossName = 'mse' | 'l1' | 'charbonnier' | 'psnr';
/**
 * `weights` (optional, one per image of the batch) turn the mean over images into a weighted mean,
 * Σ wᵢ·Lᵢ / Σ wᵢ: how the trainer makes one blur level count more than another (--level-weights).
 */
export type LossFunction = (output: tf.Tensor, target: tf.Tensor, weights?: tf.Tensor1D) => tf.Scalar;

/** Charbonnier's ε: small enough to act like L1 on visible errors, smooth (differentiable) at 0. */
export const CHARBONNIER_EPSILON = 1e-3;

/** The mean over images of each image's mean of `perElement` ([N,H,W,C]), weighted per image when asked. */
function meanOverImages(perImage: tf.Tensor, weights?: tf.Tensor1D): tf.Scalar {
  return weights ? tf.div(tf.sum(tf.mul(perImage, weights)), tf.sum(weights)) : tf.mean(perImage);
}
const imageMean = (perElement: tf.Tensor) => tf.mean(perElement, [1, 2, 3]);

export function mseLoss(output: tf.Tensor, target: tf.Tensor, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => meanOverImages(imageMean(tf.squaredDifference(output, target)), weights));
}

export function l1Loss(output: tf.Tensor, target: tf.Tensor, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => meanOverImages(imageMean(tf.abs(tf.sub(output, target))), weights));
}

/** mean(√((x − y)² + ε²)) (Charbonnier 1994; the usual robust loss of deblurring papers). */
export function charbonnierLoss(output: tf.Tensor, target: tf.Tensor, weights?: tf.Tensor1D, epsilon = CHARBONNIER_EPSILON): tf.Scalar {
  return tf.tidy(() => meanOverImages(imageMean(tf.sqrt(tf.add(tf.squaredDifference(output, target), epsilon * epsilon))), weights));
}

/** The PSNR loss's cap: an image already within 60 dB of its target adds (almost) no gradient. */
export const PSNR_LOSS_FLOOR_MSE = 1e-6;

/**
 * −PSNR of each image, averaged over the batch (the PSNR loss of NAFNet, Chen et al. 2022):
 * mean_i 10·log10(MSE_i + 1e-6). Each image counts by its own relative error, so nearly sharp
 * inputs (tiny MSE) dominate: measured on the default model's data, fine-tuning with it drives a
 * deblurring model back to the identity (see resources/models/blind/MODEL_CARD.md).
 */
export function psnrLoss(output: tf.Tensor, target: tf.Tensor, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const perImage = imageMean(tf.squaredDifference(output, target));
    return tf.mul(meanOverImages(tf.log(tf.add(perImage, PSNR_LOSS_FLOOR_MSE)), weights), 10 / Math.LN10);
  });
}

export function lossFunction(name: LossName): LossFunction {
  switch (name) {
    case 'mse':
      return mseLoss;
    case 'l1':
      return l1Loss;
    case 'charbonnier':
      return (output, target, weights) => charbonnierLoss(output, target, weights);
    case 'psnr':
      return psnrLoss;
    default:
      throw new Error(`unknown loss "${String(name)}"; available: mse, l1, charbonnier, psnr`);
  }
}
