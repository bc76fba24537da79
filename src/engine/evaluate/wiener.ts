import { gaussianKernel } from '../image/gaussian';
import { assertRawImage, createRawImage, type RawImage } from '../image/raw-image';
import { reflectIndex } from '../core/reflect-index';
import { fft2d, nextPowerOfTwo } from './fft';

/**
 * Wiener deconvolution with a known Gaussian kernel, the classical baseline the network must beat:
 *
 *   X̂(u, v) = H(u, v) / (H(u, v)² + K) · Y(u, v)
 *
 * H is the transfer function of the separable k×k kernel cv2.GaussianBlur used (real, since the
 * kernel is symmetric), K the noise-to-signal power ratio (see wiener-constants.ts). The DC term is
 * passed through (G(0,0) = 1): a constant-K filter would otherwise scale every block's mean by 1/(1+K).
 *
 * The image is processed in overlapping blocks (overlap–save): each block is its core plus a margin of
 * real neighbouring pixels on every side (reflect-101 beyond the image, the blur's own border rule,
 * under which the reflected blurred image is exactly the blur of the reflected sharp one), transformed,
 * filtered, and only its core kept, so the FFT's circular wrap-around falls into the discarded margin
 * and memory stays bounded on large photos. Two colour channels share one complex FFT (R + iG): the
 * filter is real and even, so it maps real planes to real planes.
 */

export interface WienerOptions {
  /** FFT block side (power of two); the core kept per block is block − 2·margin */
  block?: number;
  /** pixels of context on each side of a block's core; the filter's reach must fit in it */
  margin?: number;
}

export const DEFAULT_WIENER_BLOCK = 256;
export const DEFAULT_WIENER_MARGIN = 32;

/** H(u) = Σ_t kernel[t]·e^{-2πiu(t−r)/n} of a centred symmetric kernel: real, a cosine sum. */
export function kernelResponse(kernel: Float64Array, n: number): Float64Array {
  const r = (kernel.length - 1) / 2;
  const h = new Float64Array(n);
  for (let u = 0; u < n; u++) {
    let sum = kernel[r]!;
    for (let t = 1; t <= r; t++) sum += 2 * kernel[r + t]! * Math.cos((2 * Math.PI * u * t) / n);
    h[u] = sum;
  }
  return h;
}

/** The real filter G(u, v) = H/(H² + K) on an nx × ny grid, row-major, with G(0,0) = 1. */
export function wienerFilter(kernel: Float64Array, k: number, nx: number, ny: number): Float64Array {
  if (!(k > 0) || !Number.isFinite(k)) throw new Error(`Wiener K must be a positive number, got ${k}`);
  const hx = kernelResponse(kernel, nx);
  const hy = kernelResponse(kernel, ny);
  const g = new Float64Array(nx * ny);
  for (let v = 0; v < ny; v++) {
    for (let u = 0; u < nx; u++) {
      const h = hx[u]! * hy[v]!;
      g[v * nx + u] = h / (h * h + k);
    }
  }
  g[0] = 1;
  return g;
}

/** Deconvolves an 8-bit image blurred by cv2.GaussianBlur(img, (ksize, ksize), sigma). */
export function wienerDeblurGaussian(img: RawImage, ksize: number, sigma: number, k: number, opts: WienerOptions = {}): RawImage {
  return wienerDeconvolve(img, gaussianKernel(ksize, sigma), k, opts);
}

/** Deconvolves an 8-bit image blurred by the separable symmetric `kernel` (same kernel on both axes). */
export function wienerDeconvolve(img: RawImage, kernel: Float64Array, k: number, opts: WienerOptions = {}): RawImage {
  assertRawImage(img, 'Wiener input');
  if (kernel.length % 2 !== 1) throw new Error(`Wiener: kernel length must be odd, got ${kernel.length}`);
  const margin = opts.margin ?? DEFAULT_WIENER_MARGIN;
  const block = opts.block ?? DEFAULT_WIENER_BLOCK;
  if (block <= 2 * margin) throw new Error(`Wiener: block ${block} leaves no core after a ${margin}-pixel margin`);
  // Small images get the smallest power-of-two block that holds them with their margins.
  const nx = Math.min(nextPowerOfTwo(block), nextPowerOfTwo(img.width + 2 * margin));
  const ny = Math.min(nextPowerOfTwo(block), nextPowerOfTwo(img.height + 2 * margin));
  const coreX = nx - 2 * margin;
  const coreY = ny - 2 * margin;
  const filter = wienerFilter(kernel, k, nx, ny);
  const out = createRawImage(img.width, img.height, img.channels);
  const re = new Float64Array(nx * ny);
  const im = new Float64Array(nx * ny);
  const channels = img.channels;
  for (let by = 0; by < img.height; by += coreY) {
    for (let bx = 0; bx < img.width; bx += coreX) {
      // Channel pairs (0,1) and (2,·) for RGB; single channels for grey; alpha is filtered like colour.
      for (let c = 0; c < channels; c += 2) {
        const second = c + 1 < channels ? c + 1 : -1;
        loadBlock(img, bx - margin, by - margin, nx, ny, c, second, re, im);
        fft2d(re, im, nx, ny);
        for (let i = 0; i < re.length; i++) {
          re[i] = re[i]! * filter[i]!;
          im[i] = im[i]! * filter[i]!;
        }
        fft2d(re, im, nx, ny, true);
        storeCore(out, bx, by, Math.min(coreX, img.width - bx), Math.min(coreY, img.height - by), margin, nx, c, second, re, im);
      }
    }
  }
  return out;
}

function loadBlock(img: RawImage, x0: number, y0: number, nx: number, ny: number, c1: number, c2: number, re: Float64Array, im: Float64Array): void {
  const { width, height, channels, data } = img;
  const columns = new Int32Array(nx);
  for (let i = 0; i < nx; i++) columns[i] = reflectIndex(x0 + i, width) * channels;
  let o = 0;
  for (let j = 0; j < ny; j++) {
    const row = reflectIndex(y0 + j, height) * width * channels;
    for (let i = 0; i < nx; i++, o++) {
      const s = row + columns[i]!;
      re[o] = data[s + c1]!;
      im[o] = c2 >= 0 ? data[s + c2]! : 0;
    }
  }
}

function storeCore(out: RawImage, x0: number, y0: number, w: number, h: number, margin: number, nx: number, c1: number, c2: number, re: Float64Array, im: Float64Array): void {
  const { width, channels, data } = out;
  for (let j = 0; j < h; j++) {
    let s = (margin + j) * nx + margin;
    let d = ((y0 + j) * width + x0) * channels;
    for (let i = 0; i < w; i++, s++, d += channels) {
      data[d + c1] = toByte(re[s]!);
      if (c2 >= 0) data[d + c2] = toByte(im[s]!);
    }
  }
}

function toByte(v: number): number {
  const r = Math.round(v);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}
