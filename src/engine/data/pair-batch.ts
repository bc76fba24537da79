import path from 'node:path';
import { decodeToRgb } from '../image/decode';
import type { RawImage } from '../image/raw-image';
import { BLURRED_INPUT, type ModelInput } from '../restore/model-input';
import { WienerFrameCache } from '../restore/wiener-input';

/**
 * Turning planned (blurred, sharp) pairs into one batch of float tensors' data. Shared by the
 * loader's worker thread and its in-thread mode, so both produce identical batches.
 */

/** One pair of a batch, with every random choice already made (so the batch is reproducible). */
export interface PairPlan {
  id: string;
  level: number;
  /** paths relative to the data set folder */
  sharpFile: string;
  blurFile: string;
  /** top-left corner of the crop */
  x: number;
  y: number;
  flipH: boolean;
  flipV: boolean;
}

export interface BatchData {
  /** [N, H, W, 3] float32 in [0, 1]: the model's input (the blurred crop, or its Wiener deconvolution: see ModelInput) */
  blurred: Float32Array;
  sharp: Float32Array;
}

/**
 * Copies the `width`×`height` window at (x, y) of an RGB image into `out` (HWC floats in [0,1]),
 * mirrored horizontally and/or vertically. Flipping the crop equals cropping the flipped image at
 * the mirrored position, and the same plan is applied to both members of a pair.
 */
export function cropFlipToFloat(img: RawImage, x: number, y: number, width: number, height: number, flipH: boolean, flipV: boolean, out: Float32Array, offset: number): void {
  if (img.channels !== 3) throw new Error(`expected an RGB image, got ${img.channels} channels`);
  if (x < 0 || y < 0 || x + width > img.width || y + height > img.height) {
    throw new Error(`crop ${width}×${height} at (${x}, ${y}) does not fit a ${img.width}×${img.height} image`);
  }
  const src = img.data;
  const scale = 1 / 255;
  for (let row = 0; row < height; row++) {
    const sy = y + (flipV ? height - 1 - row : row);
    let o = offset + row * width * 3;
    if (!flipH) {
      let s = (sy * img.width + x) * 3;
      for (let i = 0; i < width * 3; i++) out[o++] = (src[s++] as number) * scale;
    } else {
      for (let col = width - 1; col >= 0; col--) {
        const s = (sy * img.width + x + col) * 3;
        out[o++] = (src[s] as number) * scale;
        out[o++] = (src[s + 1] as number) * scale;
        out[o++] = (src[s + 2] as number) * scale;
      }
    }
  }
}

/** One per thread: the loader's worker (or the trainer's thread in inline mode) keeps its frames across batches. */
const wienerFrames = new WienerFrameCache();

/** The model's input frame of a pair: decoded, and for a kernel-aware model deconvolved whole (cached). */
function inputFrame(datasetDir: string, p: PairPlan, input: ModelInput): Promise<RawImage> {
  const file = path.join(datasetDir, p.blurFile);
  if (input.kind === 'blurred') return decodeToRgb(file);
  const kernel = input.kernels[String(p.level)];
  if (!kernel) throw new Error(`pair ${p.id}: no Wiener kernel for blur level ${p.level}`);
  return wienerFrames.get(file, () => decodeToRgb(file), kernel);
}

/** Decodes and crops every pair of a batch (decodes run concurrently in sharp's threads). */
export async function buildBatch(datasetDir: string, plans: readonly PairPlan[], width: number, height: number, input: ModelInput = BLURRED_INPUT): Promise<BatchData> {
  const per = width * height * 3;
  const blurred = new Float32Array(plans.length * per);
  const sharp = new Float32Array(plans.length * per);
  await Promise.all(
    plans.map(async (p, i) => {
      const [b, s] = await Promise.all([inputFrame(datasetDir, p, input), decodeToRgb(path.join(datasetDir, p.sharpFile))]);
      if (b.width !== s.width || b.height !== s.height) {
        throw new Error(`pair ${p.id} (k${p.level}): blurred ${b.width}×${b.height} and sharp ${s.width}×${s.height} differ; the data set is damaged`);
      }
      cropFlipToFloat(b, p.x, p.y, width, height, p.flipH, p.flipV, blurred, i * per);
      cropFlipToFloat(s, p.x, p.y, width, height, p.flipH, p.flipV, sharp, i * per);
    }),
  );
  return { blurred, sharp };
}
