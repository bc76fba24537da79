import type { RawImage } from '../image/raw-image';
import { assertDataRange, assertSameShape } from './same-shape';

export interface PsnrOptions {
  /** Distance between the smallest and largest possible value; 255 for 8-bit images. */
  dataRange?: number;
}

/**
 * Mean squared error over every sample of every channel. Differences of 8-bit values are integers,
 * so the float64 sum stays exact up to ~10^11 pixels.
 */
export function meanSquaredError(a: RawImage, b: RawImage): number {
  assertSameShape(a, b, 'MSE');
  const x = a.data;
  const y = b.data;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - y[i]!;
    sum += d * d;
  }
  return sum / x.length;
}

function psnrFromMse(mse: number, dataRange: number): number {
  // Identical images: the MSE is 0 and the PSNR infinite, as in skimage (without its warning).
  return mse === 0 ? Infinity : 10 * Math.log10((dataRange * dataRange) / mse);
}

/**
 * Peak signal-to-noise ratio in dB, as skimage.metrics.peak_signal_noise_ratio(a, b, data_range)
 * computes it: one MSE over all channels. Returns Infinity for identical images.
 */
export function psnr(a: RawImage, b: RawImage, opts: PsnrOptions = {}): number {
  const dataRange = opts.dataRange ?? 255;
  assertDataRange(dataRange, 'PSNR');
  return psnrFromMse(meanSquaredError(a, b), dataRange);
}

// ITU-R BT.601 luma on the [16, 235] scale, as MATLAB's rgb2ycbcr (the usual "Y-PSNR" of
// super-resolution/deblurring papers): Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255.
// The offset cancels in the difference, so only the weights matter.
const WEIGHT_R = 65.481 / 255;
const WEIGHT_G = 128.553 / 255;
const WEIGHT_B = 24.966 / 255;

/**
 * PSNR of the BT.601 Y channel (float64, not rounded to 8 bits), data range 255.
 * RGB images only; Infinity for identical images.
 */
export function psnrY(a: RawImage, b: RawImage): number {
  assertSameShape(a, b, 'Y-PSNR');
  if (a.channels !== 3) throw new Error(`Y-PSNR: needs RGB images (3 channels), got ${a.channels}`);
  const x = a.data;
  const y = b.data;
  let sum = 0;
  for (let i = 0; i < x.length; i += 3) {
    const d = WEIGHT_R * (x[i]! - y[i]!) + WEIGHT_G * (x[i + 1]! - y[i + 1]!) + WEIGHT_B * (x[i + 2]! - y[i + 2]!);
    sum += d * d;
  }
  return psnrFromMse(sum / (x.length / 3), 255);
}
