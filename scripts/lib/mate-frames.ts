/**
 * Frames cut from Debian's mate-backgrounds photos the way the app makes them, for the scripts that fit and
 * measure the shipped models: the photo resized to 448×256 (the app's OpenCV-exact INTER_LINEAR), plus random
 * 448:256 crops of it downscaled at least 2.5× and resized to 448×256, as the app downscales a photo.
 */
import path from 'node:path';
import sharp from 'sharp';
import { createRng } from '../../src/engine/core/random';
import { decodeToRgb } from '../../src/engine/image/decode';
import type { RawImage } from '../../src/engine/image/raw-image';
import { resizeLinearOpenCV } from '../../src/engine/image/resize';

export const FRAME_W = 448;
export const FRAME_H = 256;
export const MIN_DOWNSCALE = 2.5;

export function crop(img: RawImage, x0: number, y0: number, w: number, h: number): RawImage {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) out.set(img.data.subarray(((y0 + y) * img.width + x0) * 3, ((y0 + y) * img.width + x0 + w) * 3), y * w * 3);
  return { data: out, width: w, height: h, channels: 3 };
}

/** The whole photo at 448×256 plus `n` random 448:256 crops of it at random scales, each resized to 448×256. */
export function frames(img: RawImage, n: number, rand: () => number): RawImage[] {
  const out = [resizeLinearOpenCV(img, FRAME_W, FRAME_H)];
  for (let i = 0; i < n; i++) {
    // a crop downscaled at least 2.5×, as the app downscales a photo (REDS' 1280×720 frames: 2.86×)
    const maxW = Math.min(img.width, Math.floor((img.height * FRAME_W) / FRAME_H));
    const minW = Math.min(maxW, Math.round(FRAME_W * MIN_DOWNSCALE));
    const cw = Math.round(minW + rand() * (maxW - minW));
    const ch = Math.round((cw * FRAME_H) / FRAME_W);
    const x = Math.floor(rand() * (img.width - cw + 1));
    const y = Math.floor(rand() * (img.height - ch + 1));
    out.push(resizeLinearOpenCV(crop(img, x, y, cw, ch), FRAME_W, FRAME_H));
  }
  return out;
}

export async function jpeg(img: RawImage, quality: number): Promise<RawImage> {
  const buf = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).jpeg({ quality }).toBuffer();
  return decodeToRgb(buf);
}

/** Every photo's frames (whole first, then `perPhoto` crops), from one seeded sequence over the photos in order. */
export async function loadFrames(root: string, rels: readonly string[], perPhoto: number, seed: number): Promise<Array<{ photo: string; frame: RawImage; whole: boolean }>> {
  const rng = createRng(seed);
  const rand = () => rng.next();
  const out: Array<{ photo: string; frame: RawImage; whole: boolean }> = [];
  for (const rel of rels) {
    const img = await decodeToRgb(path.join(root, rel));
    frames(img, perPhoto, rand).forEach((frame, i) => out.push({ photo: rel, frame, whole: i === 0 }));
  }
  return out;
}
