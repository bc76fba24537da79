import path from 'node:path';
import type { DatasetManifest } from '../data/manifest';
import { blurDirName, SHARP_DIR } from '../data/manifest';
import { decodeToRgb } from '../image/decode';
import type { RawImage } from '../image/raw-image';
import type { JobContext } from '../jobs/job-context';
import { psnr, ssim, summarizePsnr, meanSsim } from '../metrics';
import type { InputConstraint } from '../models/input-constraint';
import * as tf from '../models/tf';
import type { LossFunction } from './losses';
import { BLURRED_INPUT, type ModelInput } from '../restore/model-input';
import { wienerInput } from '../restore/wiener-input';

/**
 * Validation on the prepared set's val split, on whole frames (what inference sees): the model's
 * loss, and PSNR/SSIM per blur level of the model output and of the identity baseline (the blurred
 * input as is), so a chart shows at once whether the model beats doing nothing.
 *
 * A kernel-aware model is fed each level's Wiener deconvolution (with the level's true kernel) and is
 * scored as a user gets it: per level, the network's output where its mean PSNR beats the Wiener
 * filter's, the filter's output where not (`refined` says which; the trainer stores that choice in the
 * model). Both are reported, so the chart and the gate can be checked against each other.
 */

/** Validation runs on at most this many val images (each at every level), spread evenly over the split. */
export const MAX_VALIDATION_IMAGES = 12;

export interface ValidationSource {
  id: string;
  sharp: RawImage;
  blurred: Map<number, RawImage>;
  /** what the model is fed per level: the Wiener deconvolution for a kernel-aware model; absent = `blurred` */
  wiener?: Map<number, RawImage>;
}

export interface LevelMetrics {
  kernel: number;
  /** of what the user gets (for a kernel-aware model: the network or the Wiener filter, as `refined` says) */
  psnr: number | null;
  ssim: number | null;
  identityPsnr: number | null;
  identitySsim: number | null;
  /** kernel-aware models: the network's own output and the Wiener filter it refines, and which one this level uses */
  networkPsnr?: number | null;
  wienerPsnr?: number | null;
  refined?: boolean;
}

export interface ValidationResult {
  loss: number;
  psnr: number | null;
  ssim: number | null;
  identityPsnr: number | null;
  byLevel: LevelMetrics[];
  /** one example (the first image at the strongest blur) for the preview */
  example: { blurred: RawImage; output: RawImage; sharp: RawImage } | null;
}

/**
 * Reads the val images (sharp and every level), cropped to the largest size the model takes.
 * Returns an empty list when the split is empty.
 */
export async function loadValidationSet(datasetDir: string, manifest: DatasetManifest, constraint: InputConstraint, input: ModelInput = BLURRED_INPUT, max = MAX_VALIDATION_IMAGES): Promise<ValidationSource[]> {
  const items = manifest.items.filter((i) => i.split === 'val').sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const chosen = items.length <= max ? items : Array.from({ length: max }, (_, k) => items[Math.floor((k * items.length) / max)]!);
  const read = async (rel: string | undefined, what: string): Promise<RawImage> => {
    if (!rel) throw new Error(`the data set manifest lists no ${what}`);
    return fitToModel(await decodeToRgb(path.join(datasetDir, ...rel.split('/'))), constraint);
  };
  return Promise.all(
    chosen.map(async (item) => {
      const blurred = new Map<number, RawImage>();
      for (const k of manifest.settings.levels) {
        blurred.set(k, await read(item.outputs[blurDirName(k)]?.file, `${blurDirName(k)} file for val image ${item.id}`));
      }
      const sharp = await read(item.outputs[SHARP_DIR]?.file, `sharp file for val image ${item.id}`);
      if (input.kind === 'blurred') return { id: item.id, sharp, blurred };
      const wiener = new Map<number, RawImage>();
      for (const [k, img] of blurred) {
        const kernel = input.kernels[String(k)];
        if (!kernel) throw new Error(`no Wiener kernel for blur level ${k} of the data set`);
        wiener.set(k, wienerInput(img, kernel));
      }
      return { id: item.id, sharp, blurred, wiener };
    }),
  );
}

/** Runs the model over every val image and level. Checks for cancellation between images. */
export async function validate(model: tf.LayersModel, lossFn: LossFunction, sources: readonly ValidationSource[], ctx: Pick<JobContext, 'throwIfCancelled'>): Promise<ValidationResult> {
  const levels = [...new Set(sources.flatMap((s) => [...s.blurred.keys()]))].sort((a, b) => a - b);
  const per = new Map<number, Scores>(levels.map((k) => [k, { psnr: [], ssim: [], idPsnr: [], idSsim: [], wPsnr: [], wSsim: [] }]));
  let lossSum = 0;
  let count = 0;
  let example: ValidationResult['example'] = null;
  const strongest = levels[levels.length - 1];

  for (const [index, source] of sources.entries()) {
    for (const k of levels) {
      ctx.throwIfCancelled();
      const blurred = source.blurred.get(k);
      if (!blurred) continue;
      const wiener = source.wiener?.get(k);
      const { loss, output } = await predictOne(model, lossFn, wiener ?? blurred, source.sharp);
      lossSum += loss;
      count++;
      const m = per.get(k)!;
      m.psnr.push(psnr(output, source.sharp));
      m.ssim.push(ssim(output, source.sharp));
      m.idPsnr.push(psnr(blurred, source.sharp));
      m.idSsim.push(ssim(blurred, source.sharp));
      if (wiener) {
        m.wPsnr.push(psnr(wiener, source.sharp));
        m.wSsim.push(ssim(wiener, source.sharp));
      }
      if (index === 0 && k === strongest) example = { blurred, output, sharp: source.sharp };
      // Let progress, pause and cancel messages through between images.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  // A kernel-aware model's levels each keep the better of network and filter: what the user gets. Compared by mean
  // squared error, not mean PSNR, which leaves exact outputs (infinite PSNR) out and could prefer a worse network
  // over a filter that is exact on every image; a tie keeps the filter.
  const refined = new Map(levels.map((k) => {
    const m = per.get(k)!;
    return [k, m.wPsnr.length === 0 || meanMse(m.psnr) < meanMse(m.wPsnr)];
  }));
  const routed = (k: number, m: Scores) => (refined.get(k) ? { psnr: m.psnr, ssim: m.ssim } : { psnr: m.wPsnr, ssim: m.wSsim });
  const all = (pick: (m: Scores, k: number) => number[]) => levels.flatMap((k) => pick(per.get(k)!, k));
  return {
    loss: count > 0 ? lossSum / count : NaN,
    psnr: summarizePsnr(all((m, k) => routed(k, m).psnr)).meanDb,
    ssim: meanSsim(all((m, k) => routed(k, m).ssim)),
    identityPsnr: summarizePsnr(all((m) => m.idPsnr)).meanDb,
    byLevel: levels.map((kernel): LevelMetrics => {
      const m = per.get(kernel)!;
      const r = routed(kernel, m);
      const metrics: LevelMetrics = { kernel, psnr: summarizePsnr(r.psnr).meanDb, ssim: meanSsim(r.ssim), identityPsnr: summarizePsnr(m.idPsnr).meanDb, identitySsim: meanSsim(m.idSsim) };
      if (m.wPsnr.length === 0) return metrics;
      return { ...metrics, networkPsnr: summarizePsnr(m.psnr).meanDb, wienerPsnr: summarizePsnr(m.wPsnr).meanDb, refined: refined.get(kernel)! };
    }),
    example,
  };
}

/** Mean squared error (8-bit scale) of images given by their PSNR; an exact one (∞ dB) counts 0. */
export function meanMse(psnrs: readonly number[]): number {
  return psnrs.reduce((sum, p) => sum + (p === Infinity ? 0 : (255 * 255) / 10 ** (p / 10)), 0) / psnrs.length;
}

interface Scores {
  psnr: number[];
  ssim: number[];
  idPsnr: number[];
  idSsim: number[];
  /** the Wiener input's scores (kernel-aware models only) */
  wPsnr: number[];
  wSsim: number[];
}

/** Model output for one image: the loss on the raw output, and the output as 8-bit (clipped, rounded). */
async function predictOne(model: tf.LayersModel, lossFn: LossFunction, blurred: RawImage, sharp: RawImage): Promise<{ loss: number; output: RawImage }> {
  const { loss, pixels } = tf.tidy(() => {
    const x = toTensor(blurred);
    const y = model.predict(x) as tf.Tensor;
    return { loss: lossFn(y, toTensor(sharp)), pixels: tf.cast(tf.round(tf.mul(tf.clipByValue(y, 0, 1), 255)), 'int32') };
  });
  try {
    const [lossValue, data] = await Promise.all([loss.data(), pixels.data()]);
    return { loss: lossValue[0] as number, output: { data: Uint8Array.from(data), width: blurred.width, height: blurred.height, channels: 3 } };
  } finally {
    loss.dispose();
    pixels.dispose();
  }
}

/** [1,H,W,3] float32 in [0,1] from an 8-bit RGB image. */
export function toTensor(img: RawImage): tf.Tensor4D {
  const f = new Float32Array(img.data.length);
  for (let i = 0; i < f.length; i++) f[i] = (img.data[i] as number) / 255;
  return tf.tensor4d(f, [1, img.height, img.width, 3]);
}

/** Crops (top-left) to the largest size the model takes; a fixed-size model needs that exact size. */
export function fitToModel(img: RawImage, c: InputConstraint): RawImage {
  if (c.fixed) {
    if (img.width === c.fixed.width && img.height === c.fixed.height) return img;
    throw new Error(`the model takes only ${c.fixed.width}×${c.fixed.height} images; the data set's are ${img.width}×${img.height} (prepare it at that size)`);
  }
  const m = c.multipleOf ?? 1;
  const width = Math.floor(img.width / m) * m;
  const height = Math.floor(img.height / m) * m;
  if (width === 0 || height === 0) throw new Error(`the data set's ${img.width}×${img.height} images are smaller than the model's stride ${m}`);
  if (width === img.width && height === img.height) return img;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) data.set(img.data.subarray(y * img.width * 3, (y * img.width + width) * 3), y * width * 3);
  return { data, width, height, channels: 3 };
}
