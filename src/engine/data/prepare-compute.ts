import { createHash } from 'node:crypto';
import { decodeToRgb, encodePng, readImageFile } from '../image/decode';
import { gaussianBlurOpenCV } from '../image/gaussian';
import { resizeLinearOpenCV } from '../image/resize';
import { fitToFrame, type FrameFit } from './frame-fit';
import { SHARP_DIR, blurDirName } from './manifest';

/**
 * The CPU-heavy part of preparing one image, free of file writes so it can run on a worker
 * thread: read + hash the source, decode, resize, blur per level, encode PNGs, hash them.
 * Throws DecodeError for an unusable source.
 */
export interface ComputeTask {
  file: string;
  width: number;
  height: number;
  levels: number[];
  /** kernel size → σ */
  sigmas: Record<string, number>;
  pngLevel: number;
  limitInputPixels: number;
  /** how the photo fills the frame (frame-fit.ts); absent = stretch */
  fit?: FrameFit;
}

export interface ComputedPng {
  /** output folder: 'sharp' or 'blur_k<k>' */
  dir: string;
  data: Uint8Array;
  sha256: string;
}

export interface ComputeResult {
  sourceBytes: number;
  sourceSha256: string;
  /** decoded size (EXIF orientation applied) */
  width: number;
  height: number;
  pngs: ComputedPng[];
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

export async function computeItem(task: ComputeTask): Promise<ComputeResult> {
  const bytes = await readImageFile(task.file);
  const decoded = await decodeToRgb(bytes, { limitInputPixels: task.limitInputPixels });
  const sharpImage = resizeLinearOpenCV(fitToFrame(decoded, task.width, task.height, task.fit ?? 'stretch'), task.width, task.height);
  const pending: Array<Promise<ComputedPng>> = [];
  const encode = (dir: string, img: typeof sharpImage): void => {
    pending.push(encodePng(img, task.pngLevel).then((png) => ({ dir, data: png, sha256: sha256(png) })));
  };
  encode(SHARP_DIR, sharpImage);
  for (const k of task.levels) {
    // Each blur runs on this thread while the previous images are encoded in sharp's threads.
    encode(blurDirName(k), gaussianBlurOpenCV(sharpImage, k, task.sigmas[String(k)] as number));
  }
  const sourceSha256 = sha256(bytes);
  return { sourceBytes: bytes.length, sourceSha256, width: decoded.width, height: decoded.height, pngs: await Promise.all(pending) };
}
