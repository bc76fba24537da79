import { fft2d } from '../evaluate/fft';
import type { RawImage } from '../image/raw-image';

/**
 * What a blur estimator looks at: the radially averaged power spectrum of a photo's luma, on a log scale.
 * A Gaussian blur multiplies the spectrum by exp(−σ²ω²), so its fall-off towards high frequencies, and the
 * frequency where it sinks into the 8-bit quantization floor (an absolute level, which is why the power is
 * not normalised by the photo's contrast), say how blurred the photo is. Computed on 256×256 tiles
 * (a power of two: no padding, which would add its own edges), Hann-windowed so tile borders add no
 * spurious high frequencies, and averaged over the tiles a region holds.
 */

export const TILE = 256;
export const BINS = 24;
const F_MIN = 0.01;
const F_MAX = 0.5;

/** Log-spaced radial frequency bin edges, in cycles per pixel. */
const EDGES = Array.from({ length: BINS + 1 }, (_, i) => F_MIN * Math.pow(F_MAX / F_MIN, i / BINS));

/**
 * JPEG's 8×8 blocks put energy on the frequency lines fx = k/8 and fy = k/8; leaving those lines out keeps a
 * compressed photo's blocking from reading as detail (measured: σ 1.6 at JPEG quality 75 read as σ 0.4 with
 * them, 1.7 without). Below 0.06 cycles/px the lines hold most of a bin's pixels and little blocking: kept.
 */
const JPEG_MASK_FROM = 0.06;
const onJpegGrid = (f: number): boolean => Math.abs(f * 8 - Math.round(f * 8)) * TILE < 1.5 * 8;

interface BinMap {
  bin: Int16Array;
  count: Float64Array;
  window: Float64Array;
  windowEnergy: number;
}

let binMap: BinMap | null = null;

function bins(): BinMap {
  if (binMap) return binMap;
  const bin = new Int16Array(TILE * TILE).fill(-1);
  const count = new Float64Array(BINS);
  const hann = Float64Array.from({ length: TILE }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (TILE - 1)));
  const window = new Float64Array(TILE * TILE);
  let windowEnergy = 0;
  for (let y = 0; y < TILE; y++) {
    const fy = (y < TILE / 2 ? y : y - TILE) / TILE;
    for (let x = 0; x < TILE; x++) {
      const fx = (x < TILE / 2 ? x : x - TILE) / TILE;
      const r = Math.hypot(fx, fy);
      const w = hann[y]! * hann[x]!;
      window[y * TILE + x] = w;
      windowEnergy += w * w;
      if (r < F_MIN || r >= F_MAX) continue;
      if (r >= JPEG_MASK_FROM && (onJpegGrid(fx) || onJpegGrid(fy))) continue;
      let b = 0;
      while (b < BINS - 1 && r >= EDGES[b + 1]!) b++;
      bin[y * TILE + x] = b;
      count[b]! += 1;
    }
  }
  binMap = { bin, count, window, windowEnergy };
  return binMap;
}

/** Luma of pixel i as OpenCV's BGR2GRAY weighs it, as float. */
function lumaAt(img: RawImage, i: number): number {
  const p = i * img.channels;
  const d = img.data;
  return img.channels === 1 ? d[p]! : 0.299 * d[p]! + 0.587 * d[p + 1]! + 0.114 * d[p + 2]!;
}

/** Top-left corners of TILE×TILE tiles that cover a width × height region (overlapping where needed). */
export function tileOrigins(width: number, height: number): Array<{ x: number; y: number }> {
  const along = (span: number): number[] => {
    if (span < TILE) return [];
    const n = Math.ceil(span / TILE);
    return n === 1 ? [0] : Array.from({ length: n }, (_, i) => Math.round((i * (span - TILE)) / (n - 1)));
  };
  return along(height).flatMap((y) => along(width).map((x) => ({ x, y })));
}

/**
 * The radial power spectrum (per-pixel power, summed over bins' pixels) of the luma of one tile at (x0, y0).
 * Luma is taken per tile, so a 24 MP photo sampled on a few tiles never holds a float copy of itself.
 */
export function tilePowerSpectrum(img: RawImage, x0: number, y0: number): Float64Array {
  const { bin, count, window, windowEnergy } = bins();
  const re = new Float64Array(TILE * TILE);
  const im = new Float64Array(TILE * TILE);
  let mean = 0;
  for (let y = 0; y < TILE; y++) {
    for (let x = 0; x < TILE; x++) {
      const v = lumaAt(img, (y0 + y) * img.width + x0 + x);
      re[y * TILE + x] = v;
      mean += v;
    }
  }
  mean /= TILE * TILE;
  for (let i = 0; i < re.length; i++) re[i] = (re[i]! - mean) * window[i]!;
  fft2d(re, im, TILE, TILE);
  const power = new Float64Array(BINS);
  for (let i = 0; i < re.length; i++) {
    const b = bin[i]!;
    if (b >= 0) power[b]! += re[i]! * re[i]! + im[i]! * im[i]!;
  }
  for (let b = 0; b < BINS; b++) power[b] = power[b]! / count[b]! / windowEnergy;
  return power;
}

/** Length of a feature vector: the log spectrum, absolute and relative to its lowest bins. */
export const FEATURES = 2 * BINS;
const LOW_BINS = 4;

/**
 * The feature vector of a region: log of the tiles' mean radial power per bin (absolute: where it meets the
 * quantization floor), then the same relative to the mean of the lowest bins (the fall-off's shape,
 * independent of the photo's contrast).
 */
export function logSpectrumFeatures(powers: Float64Array[]): Float64Array {
  if (powers.length === 0) throw new Error('blur estimate: the image is smaller than one 256×256 tile');
  const f = new Float64Array(FEATURES);
  for (const p of powers) for (let b = 0; b < BINS; b++) f[b]! += p[b]! / powers.length;
  let low = 0;
  for (let b = 0; b < BINS; b++) {
    f[b] = Math.log(f[b]! + 1e-12);
    if (b < LOW_BINS) low += f[b]! / LOW_BINS;
  }
  for (let b = 0; b < BINS; b++) f[BINS + b] = f[b]! - low;
  return f;
}

/** Features of a whole image (every tile averaged). */
export function imageFeatures(img: RawImage): Float64Array {
  return logSpectrumFeatures(tileOrigins(img.width, img.height).map((t) => tilePowerSpectrum(img, t.x, t.y)));
}
