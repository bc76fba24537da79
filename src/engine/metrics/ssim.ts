import type { RawImage } from '../image/raw-image';
import { assertDataRange, assertSameShape } from './same-shape';

/**
 * Mean structural similarity with the defaults of skimage.metrics.structural_similarity(a, b,
 * channel_axis=2, data_range=255): 7×7 uniform window, K1 = 0.01, K2 = 0.03, sample covariance
 * (N/(N−1)), SSIM map averaged over the pixels whose window lies fully inside the image (skimage
 * crops (7−1)/2 = 3 pixels on each side, so its border mode never matters), then averaged over
 * channels. Every stored channel counts, alpha included, as skimage would with channel_axis=2.
 *
 * Window sums come from sliding column sums: O(width) memory and a constant amount of work per
 * pixel, so a 24 MP RGB photo takes seconds, not minutes. The sums of 8-bit values and their
 * products are integers well below 2^53, hence exact in float64; variances use those exact sums.
 */
const WIN = 7;
const NP = WIN * WIN;
const K1 = 0.01;
const K2 = 0.03;

export interface SsimOptions {
  /** Distance between the smallest and largest possible value; 255 for 8-bit images. */
  dataRange?: number;
}

export function ssim(a: RawImage, b: RawImage, opts: SsimOptions = {}): number {
  assertSameShape(a, b, 'SSIM');
  const dataRange = opts.dataRange ?? 255;
  assertDataRange(dataRange, 'SSIM');
  if (a.width < WIN || a.height < WIN) {
    throw new Error(`SSIM: images must be at least ${WIN}×${WIN} pixels, got ${a.width}×${a.height}`);
  }
  const c1 = (K1 * dataRange) ** 2;
  const c2 = (K2 * dataRange) ** 2;
  let sum = 0;
  for (let c = 0; c < a.channels; c++) sum += channelSsim(a, b, c, c1, c2);
  return sum / a.channels;
}

/** Mean of the SSIM map of one channel over all full 7×7 windows. */
function channelSsim(a: RawImage, b: RawImage, channel: number, c1: number, c2: number): number {
  const { width, height, channels } = a;
  const x = a.data;
  const y = b.data;
  const rowStride = width * channels;
  // Per column, interleaved for locality: sums over the WIN rows of the current window of
  // x, y, x², y², x·y.
  const cols = new Float64Array(5 * width);

  // Adds row `add` to the column sums and, when `sub` >= 0, removes row `sub` in the same pass.
  const slideRows = (add: number, sub: number): void => {
    let i = add * rowStride + channel;
    let j = sub * rowStride + channel;
    for (let k = 0; k < cols.length; k += 5, i += channels, j += channels) {
      let p = x[i]!;
      let q = y[i]!;
      let sx = p;
      let sy = q;
      let sxx = p * p;
      let syy = q * q;
      let sxy = p * q;
      if (sub >= 0) {
        p = x[j]!;
        q = y[j]!;
        sx -= p;
        sy -= q;
        sxx -= p * p;
        syy -= q * q;
        sxy -= p * q;
      }
      cols[k]! += sx;
      cols[k + 1]! += sy;
      cols[k + 2]! += sxx;
      cols[k + 3]! += syy;
      cols[k + 4]! += sxy;
    }
  };

  // Variances from exact integer sums: cov = (NP·Σpq − Σp·Σq) / (NP·(NP−1)) is skimage's
  // NP/(NP−1) · (mean(pq) − mean(p)·mean(q)) without the cancellation error.
  const covScale = 1 / (NP * (NP - 1));
  const lastWindowStart = 5 * (width - WIN);
  let total = 0;
  for (let row = 0; row < WIN - 1; row++) slideRows(row, -1);
  for (let top = 0; top + WIN <= height; top++) {
    slideRows(top + WIN - 1, top - 1);
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let k = 0; k < 5 * (WIN - 1); k += 5) {
      sx += cols[k]!;
      sy += cols[k + 1]!;
      sxx += cols[k + 2]!;
      syy += cols[k + 3]!;
      sxy += cols[k + 4]!;
    }
    for (let left = 0; left <= lastWindowStart; left += 5) {
      const right = left + 5 * (WIN - 1);
      sx += cols[right]!;
      sy += cols[right + 1]!;
      sxx += cols[right + 2]!;
      syy += cols[right + 3]!;
      sxy += cols[right + 4]!;

      const ux = sx / NP;
      const uy = sy / NP;
      const vx = (NP * sxx - sx * sx) * covScale;
      const vy = (NP * syy - sy * sy) * covScale;
      const vxy = (NP * sxy - sx * sy) * covScale;
      total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));

      sx -= cols[left]!;
      sy -= cols[left + 1]!;
      sxx -= cols[left + 2]!;
      syy -= cols[left + 3]!;
      sxy -= cols[left + 4]!;
    }
  }
  return total / ((width - WIN + 1) * (height - WIN + 1));
}
