import path from 'node:path';
import { BLUR_LEVELS, blurKernel, type BlurEstimate as ReportedBlur, type BlurKernel } from '../../shared/contract';
import { shippedModelsDir } from '../core/resources';
import type { RawImage } from '../image/raw-image';
import { readEstimatorFile, type EstimatorFile } from './estimator-file';
import { qdaLogOdds, qdaPosteriors } from './qda';
import { logSpectrumFeatures, tileOrigins, tilePowerSpectrum, TILE } from './spectrum-features';

/** The course's three kernels (the contract's BLUR_LEVELS), smallest first. */
export const COURSE_LEVELS: ReadonlyArray<{ ksize: BlurKernel; sigma: number }> = blurKernel.options.map((k) => ({ ksize: k.value, sigma: BLUR_LEVELS[k.value] }));

/**
 * What jobs report (the contract's blurEstimate: σ, and the most likely course level with its posterior as the
 * confidence), plus the posterior of each course level.
 */
export interface BlurEstimate extends ReportedBlur {
  mildBlur: boolean;
  levels: Array<{ ksize: BlurKernel; sigma: number; p: number }>;
}

export interface TileEstimate extends BlurEstimate {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Shipped beside the built-in deblurring model (resources/models/blur-estimator). */
export function defaultEstimatorFile(): string {
  return path.join(shippedModelsDir(), 'blur-estimator', 'estimator.json');
}

let cached: { file: string; model: EstimatorFile } | null = null;

export function loadEstimator(file = defaultEstimatorFile()): EstimatorFile {
  if (cached?.file === file) return cached.model;
  const model = readEstimatorFile(file);
  cached = { file, model };
  return model;
}

/** OpenCV's own kernel size for a σ (8-bit images): the course's 3/7/11 for σ 0.3/1.0/1.6. */
export function opencvKernelSize(sigma: number): number {
  return Math.max(1, Math.round(sigma * 6 + 1)) | 1;
}

export interface EstimateOptions {
  /** look at no more than this many tiles, spread evenly over the photo (a 24 MP photo has ~370) */
  maxTiles?: number;
  /**
   * The photo went through lossy compression (a JPEG or WebP file). The level classifier is fitted on
   * lossless frames, as the course's data is, and reads compression as sharpness; the σ-grid estimator is
   * also fitted on JPEG frames, so for compressed photos the level is the σ estimate's nearest level.
   */
  compressed?: boolean;
}

const nearestLevel = (sigma: number) =>
  COURSE_LEVELS.reduce((a, b) => (Math.abs(Math.log(b.sigma / sigma)) < Math.abs(Math.log(a.sigma / sigma)) ? b : a));

export function estimateFromFeatures(model: EstimatorFile, features: Float64Array, opts: EstimateOptions = {}): BlurEstimate {
  const grid = qdaPosteriors(model.sigma, features);
  const sigma = Math.exp(grid.reduce((s, c) => s + c.p * Math.log(c.label), 0));
  const levels = opts.compressed
    ? COURSE_LEVELS.map((lv) => ({ ksize: lv.ksize, sigma: lv.sigma, p: grid.filter((c) => nearestLevel(c.label) === lv).reduce((s, c) => s + c.p, 0) }))
    : qdaPosteriors(model.levels, features).map((c) => {
        const lv = COURSE_LEVELS.find((l) => l.ksize === c.label);
        if (!lv) throw new Error(`blur estimator: unknown level label ${c.label}`);
        return { ksize: lv.ksize, sigma: lv.sigma, p: c.p };
      });
  const best = levels.reduce((a, b) => (b.p > a.p ? b : a));
  // fitted on lossless frames like the level classifier, so a compressed photo is not asked
  const mildBlur = !opts.compressed && best.ksize === COURSE_LEVELS[0]!.ksize && model.mild !== undefined && mildBlurLogOdds(model, features) > model.mild.threshold;
  return { sigma, level: { ksize: best.ksize, sigma: best.sigma, confidence: best.p }, mildBlur, levels };
}

/** The mild-blur detector's log odds (mildly blurred against nearly sharp); the estimator file must have one. */
export function mildBlurLogOdds(model: EstimatorFile, features: Float64Array): number {
  if (!model.mild) throw new Error('this blur estimator has no mild-blur detector');
  return qdaLogOdds(model.mild.qda, pickFeatures(features, model.mild.features), MILD_LABEL.blurred, MILD_LABEL.sharp);
}

/** The entries of a spectrum feature vector a classifier reads (all of them when `which` is absent). */
export function pickFeatures(features: Float64Array, which: readonly number[] | undefined): Float64Array {
  return which === undefined ? features : Float64Array.from(which, (i) => features[i]!);
}

/** The mild-blur detector's class labels (estimator-file.ts). */
export const MILD_LABEL = { sharp: 0, blurred: 1 } as const;

/** One estimate for the whole image (every 256×256 tile's spectrum averaged). */
/** `n` items spread evenly over `items` (all of them when there are no more than n). */
function spread<T>(items: T[], n: number | undefined): T[] {
  if (n === undefined || items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor(((i + 0.5) * items.length) / n)]!);
}

export function estimateBlur(img: RawImage, opts: EstimateOptions = {}, model = loadEstimator()): BlurEstimate {
  const powers = spread(tileOrigins(img.width, img.height), opts.maxTiles).map((t) => tilePowerSpectrum(img, t.x, t.y));
  return estimateFromFeatures(model, logSpectrumFeatures(powers), opts);
}

/** An estimate per region of `regionSize` px (each from the tiles inside it), for photos blurred unevenly. */
export function estimateBlurByRegion(img: RawImage, regionSize = 4 * TILE, opts: EstimateOptions = {}, model = loadEstimator()): TileEstimate[] {
  const out: TileEstimate[] = [];
  for (let y = 0; y < img.height; y += regionSize) {
    for (let x = 0; x < img.width; x += regionSize) {
      const width = Math.min(regionSize, img.width - x);
      const height = Math.min(regionSize, img.height - y);
      const tiles = spread(tileOrigins(width, height), opts.maxTiles);
      if (tiles.length === 0) continue;
      const powers = tiles.map((t) => tilePowerSpectrum(img, x + t.x, y + t.y));
      out.push({ x, y, width, height, ...estimateFromFeatures(model, logSpectrumFeatures(powers), opts) });
    }
  }
  return out;
}
