/**
 * Test support for the infer/evaluate/report tests: a tiny trained-looking model saved to disk, and
 * small image files made from the real-photo fixtures.
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { RawImage } from '../../src/engine/image/raw-image';
import { saveModel } from '../../src/engine/models/io';
import { buildResUNet, type ResUNetConfig } from '../../src/engine/models/resunet';
import * as tf from '../../src/engine/runtime/tf';

/** Three scales (stride 4), narrow: a real ResUNet that runs in milliseconds on small images. */
export const TINY_RESUNET: ResUNetConfig = { widths: [8, 12, 16], blocks: [1, 1], bottleneckBlocks: 1 };

/**
 * A ResUNet whose zero-initialised layers (residual branches, output head) get small seeded random
 * weights, so its output differs from its input the way a partly trained model's does.
 */
export function perturbedResUNet(config: ResUNetConfig = TINY_RESUNET, name = 'tiny-resunet', scale = 0.02): tf.LayersModel {
  const model = buildResUNet(config, name);
  tf.tidy(() => {
    const weights = model.getWeights();
    model.setWeights(weights.map((w, i) => (w.shape.length === 4 && w.abs().max().dataSync()[0] === 0 ? tf.randomNormal(w.shape, 0, scale, 'float32', 1000 + i) : w)));
  });
  return model;
}

/** Saves a perturbed tiny ResUNet into a new temp folder; returns the folder. */
export async function saveTinyModel(parent?: string): Promise<string> {
  const dir = path.join(parent ?? (await mkdtemp(path.join(os.tmpdir(), 'deblur-model-'))), 'model');
  const model = perturbedResUNet();
  await saveModel(model, dir, { metadata: { architecture: 'resunet', preset: 'tiny (test)' } });
  model.dispose();
  return dir;
}

export async function writePng(file: string, img: RawImage): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, await sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } }).png().toBuffer());
}

/** Deterministic smooth-plus-texture RGB image (no fixture file needed). */
export function syntheticImage(width: number, height: number, seed = 1): RawImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const noise = (s >>> 26) - 32;
      const i = (y * width + x) * 3;
      data[i] = Math.max(0, Math.min(255, 128 + 90 * Math.sin(x / 7) + noise));
      data[i + 1] = Math.max(0, Math.min(255, 128 + 90 * Math.cos(y / 5) + noise));
      data[i + 2] = Math.max(0, Math.min(255, ((x * 3 + y * 5) % 256) + noise / 2));
    }
  }
  return { data, width, height, channels: 3 };
}

