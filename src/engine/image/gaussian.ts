import { reflectIndex } from '../core/reflect-index';
import { assertRawImage, createRawImage, type RawImage } from './raw-image';

/**
 * Gaussian blur that reproduces `cv2.GaussianBlur(img, (k, k), sigma)` on 8-bit images
 * (default border BORDER_REFLECT_101), implemented on raw pixels because sharp's blur uses
 * libvips' own kernel and borders.
 *
 * OpenCV's 8-bit path is bit-exact fixed point (smooth.dispatch.cpp, GaussianBlurFixedPoint):
 *  - the kernel is computed in double like getGaussianKernel, then quantised to 8 fractional bits
 *    by error diffusion over the left half, mirrored, and the centre tap takes whatever makes the
 *    sum exactly 256;
 *  - the horizontal pass sums pixel · tap exactly (≤ 255·256, fits uint16);
 *  - the vertical pass sums row · tap exactly (16 fractional bits) and rounds: (sum + 2^15) >> 16.
 * Everything is integer arithmetic, so the result equals OpenCV's bit for bit.
 */
const FRACTION_BITS = 8;
const ONE = 1 << FRACTION_BITS;

/** cvRound on doubles: round half to even. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The normalised double kernel, as cv2.getGaussianKernel(ksize, sigma) returns it (sigma > 0). */
export function gaussianKernel(ksize: number, sigma: number): Float64Array {
  if (!Number.isInteger(ksize) || ksize < 1 || ksize % 2 !== 1) throw new Error(`Gaussian kernel size must be a positive odd integer, got ${ksize}`);
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new Error(`Gaussian sigma must be a positive number, got ${sigma}`);
  const half = (ksize - 1) / 2;
  const scale2X = -0.125 / (sigma * sigma);
  const left = new Float64Array(half);
  let sum = 0;
  for (let i = 0, x = 1 - ksize; i < half; i++, x += 2) {
    const t = Math.exp(x * x * scale2X);
    left[i] = t;
    sum += t;
  }
  sum = sum * 2 + 1;
  const mul = 1 / sum;
  const kernel = new Float64Array(ksize);
  for (let i = 0; i < half; i++) {
    const t = (left[i] as number) * mul;
    kernel[i] = t;
    kernel[ksize - 1 - i] = t;
  }
  kernel[half] = mul;
  return kernel;
}

/** The 8-bit fixed-point taps (sum 256) that cv2.GaussianBlur uses for uint8 images. */
export function gaussianKernelFixedPoint(ksize: number, sigma: number): Int32Array {
  const kernel = gaussianKernel(ksize, sigma);
  const half = (ksize - 1) / 2;
  const taps = new Int32Array(ksize);
  let err = 0;
  let sum = 0;
  for (let i = 0; i < half; i++) {
    const adjusted = (kernel[i] as number) * ONE + err;
    const v = roundHalfEven(adjusted);
    err = adjusted - v;
    taps[i] = v;
    taps[ksize - 1 - i] = v;
    sum += v;
  }
  taps[half] = ONE - 2 * sum;
  return taps;
}

const kernelCache = new Map<string, Int32Array>();

function cachedTaps(ksize: number, sigma: number): Int32Array {
  const key = `${ksize}:${sigma}`;
  let taps = kernelCache.get(key);
  if (!taps) {
    taps = gaussianKernelFixedPoint(ksize, sigma);
    kernelCache.set(key, taps);
  }
  return taps;
}

/**
 * Horizontal pass of one row: pads the row by reflection once, then accumulates two taps per
 * pass over the whole row ((left + right) · tap): flat loops over typed arrays that V8 compiles
 * tightly (a loop over taps inside the pixel loop is several times slower).
 */
function blurRow(src: Uint8Array, rowStart: number, width: number, cn: number, taps: Int32Array, padded: Int32Array, out: Int32Array): void {
  const r = (taps.length - 1) >> 1;
  const rowLen = width * cn;
  const mid = r * cn;
  padded.set(src.subarray(rowStart, rowStart + rowLen), mid);
  for (let px = 0; px < r; px++) {
    const leftFrom = rowStart + reflectIndex(px - r, width) * cn;
    const rightFrom = rowStart + reflectIndex(width + px, width) * cn;
    for (let c = 0; c < cn; c++) {
      padded[px * cn + c] = src[leftFrom + c] as number;
      padded[mid + rowLen + px * cn + c] = src[rightFrom + c] as number;
    }
  }
  const centre = taps[r] as number;
  if (r === 0) {
    for (let i = 0; i < rowLen; i++) out[i] = (padded[i] as number) * centre;
    return;
  }
  {
    const tap = taps[r + 1] as number;
    const left = mid - cn;
    const right = mid + cn;
    for (let i = 0; i < rowLen; i++) {
      out[i] = (padded[mid + i] as number) * centre + ((padded[left + i] as number) + (padded[right + i] as number)) * tap;
    }
  }
  let k = 2;
  for (; k + 1 <= r; k += 2) {
    const tapA = taps[r + k] as number;
    const tapB = taps[r + k + 1] as number;
    const leftA = mid - k * cn;
    const rightA = mid + k * cn;
    const leftB = leftA - cn;
    const rightB = rightA + cn;
    for (let i = 0; i < rowLen; i++) {
      out[i] =
        (out[i] as number) +
        ((padded[leftA + i] as number) + (padded[rightA + i] as number)) * tapA +
        ((padded[leftB + i] as number) + (padded[rightB + i] as number)) * tapB;
    }
  }
  if (k <= r) {
    const tap = taps[r + k] as number;
    const left = mid - k * cn;
    const right = mid + k * cn;
    for (let i = 0; i < rowLen; i++) out[i] = (out[i] as number) + ((padded[left + i] as number) + (padded[right + i] as number)) * tap;
  }
}

/** cv2.GaussianBlur(img, (ksize, ksize), sigma) with BORDER_REFLECT_101 for 8-bit images. */
export function gaussianBlurOpenCV(img: RawImage, ksize: number, sigma: number): RawImage {
  assertRawImage(img, 'blur input');
  const { width, height, channels: cn } = img;
  // OpenCV drops the kernel along an axis of length 1 (the reflected border would be the pixel itself).
  const tapsX = width === 1 ? Int32Array.of(ONE) : cachedTaps(ksize, sigma);
  const tapsY = height === 1 ? Int32Array.of(ONE) : cachedTaps(ksize, sigma);
  const out = createRawImage(width, height, cn);
  const rowLen = width * cn;
  const ry = (tapsY.length - 1) >> 1;
  const ringSize = 2 * ry + 1;

  // Horizontal results for the rows the vertical window needs, in a ring indexed by source row.
  // A window's rows (reflected or not) are a run of at most 2r+1 consecutive source rows, so
  // they never collide in the ring.
  const ring: Int32Array[] = Array.from({ length: ringSize }, () => new Int32Array(rowLen));
  const ringRow = new Int32Array(ringSize).fill(-1);
  const padded = new Int32Array((width + tapsX.length - 1) * cn);
  const rowFor = (sy: number): Int32Array => {
    const slot = sy % ringSize;
    const row = ring[slot] as Int32Array;
    if (ringRow[slot] !== sy) {
      blurRow(img.data, sy * rowLen, width, cn, tapsX, padded, row);
      ringRow[slot] = sy;
    }
    return row;
  };

  const acc = new Int32Array(rowLen);
  const dst = out.data;
  const centre = tapsY[ry] as number;
  // The window's rows above (y−k) and below (y+k) for k = 1..r, refreshed per output row.
  const above: Int32Array[] = new Array(ry + 1);
  const below: Int32Array[] = new Array(ry + 1);
  for (let y = 0; y < height; y++) {
    const mid = rowFor(y);
    for (let k = 1; k <= ry; k++) {
      above[k] = rowFor(reflectIndex(y - k, height));
      below[k] = rowFor(reflectIndex(y + k, height));
    }
    const base = y * rowLen;
    // Up to two taps per pass over the row, the last pass fused with rounding and the store:
    // fewer passes over memory is what makes this fast in JS.
    let k = 1;
    if (ry > 2) {
      const a1 = above[1] as Int32Array;
      const b1 = below[1] as Int32Array;
      const a2 = above[2] as Int32Array;
      const b2 = below[2] as Int32Array;
      const t1 = tapsY[ry + 1] as number;
      const t2 = tapsY[ry + 2] as number;
      for (let i = 0; i < rowLen; i++) {
        acc[i] = (mid[i] as number) * centre + ((a1[i] as number) + (b1[i] as number)) * t1 + ((a2[i] as number) + (b2[i] as number)) * t2;
      }
      k = 3;
      for (; ry - k + 1 > 2; k += 2) {
        const a = above[k] as Int32Array;
        const b = below[k] as Int32Array;
        const c = above[k + 1] as Int32Array;
        const d = below[k + 1] as Int32Array;
        const ta = tapsY[ry + k] as number;
        const tb = tapsY[ry + k + 1] as number;
        for (let i = 0; i < rowLen; i++) acc[i] = (acc[i] as number) + ((a[i] as number) + (b[i] as number)) * ta + ((c[i] as number) + (d[i] as number)) * tb;
      }
    } else {
      for (let i = 0; i < rowLen; i++) acc[i] = (mid[i] as number) * centre;
    }
    // 0, 1 or 2 taps left (0 only when the kernel is a single tap).
    const left = ry - k + 1;
    if (left === 2) {
      const a = above[k] as Int32Array;
      const b = below[k] as Int32Array;
      const c = above[k + 1] as Int32Array;
      const d = below[k + 1] as Int32Array;
      const ta = tapsY[ry + k] as number;
      const tb = tapsY[ry + k + 1] as number;
      for (let i = 0; i < rowLen; i++) {
        const v = ((acc[i] as number) + ((a[i] as number) + (b[i] as number)) * ta + ((c[i] as number) + (d[i] as number)) * tb + 32768) >> 16;
        dst[base + i] = v > 255 ? 255 : v;
      }
    } else if (left === 1) {
      const a = above[k] as Int32Array;
      const b = below[k] as Int32Array;
      const ta = tapsY[ry + k] as number;
      for (let i = 0; i < rowLen; i++) {
        const v = ((acc[i] as number) + ((a[i] as number) + (b[i] as number)) * ta + 32768) >> 16;
        dst[base + i] = v > 255 ? 255 : v;
      }
    } else {
      for (let i = 0; i < rowLen; i++) {
        const v = ((acc[i] as number) + 32768) >> 16;
        dst[base + i] = v > 255 ? 255 : v;
      }
    }
  }
  return out;
}
