/**
 * Makes the photo folders the default model is trained and tested on, from Debian's mate-backgrounds
 * photos (GPL-2+), before the app's own `prepare` turns them into blurred/sharp pairs.
 *
 * The app downscales every photo to 448×256, so a photo gives one frame. Eight training photos would
 * give eight frames, so each training photo also gives 448×256 crops of itself downscaled (aspect kept)
 * to widths 672, 896 and 1344 px: more frames, and detail at several scales. The resize is the app's
 * own (OpenCV-exact INTER_LINEAR), so the crops look like what the app makes of a photo.
 * Held-out photos are copied whole: they are evaluated exactly as a user's photo would be.
 *
 * Usage: node bin/tsx.mjs scripts/default-model/make-sources.ts <mate-backgrounds root> <out>
 *   → <out>/train/<photo>/*.png (one group per photo, so `prepare` splits train/val by photo)
 *   → <out>/heldout/<photo>.<ext> (never seen by training or checkpoint selection)
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeToRgb, encodePng } from '../../src/engine/image/decode';
import type { RawImage } from '../../src/engine/image/raw-image';
import { resizeLinearOpenCV } from '../../src/engine/image/resize';
import { HELDOUT_PHOTOS, TRAIN_PHOTOS } from './photos';

const CROP_W = 448;
const CROP_H = 256;
const SCALE_WIDTHS = [672, 896, 1344];

function crop(img: RawImage, x0: number, y0: number, w: number, h: number): RawImage {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = ((y0 + y) * img.width + x0) * 3;
    out.set(img.data.subarray(src, src + w * 3), y * w * 3);
  }
  return { data: out, width: w, height: h, channels: 3 };
}

/** n evenly spaced offsets from 0 to `span - size` that cover the span. */
function offsets(span: number, size: number): number[] {
  const n = Math.ceil(span / size);
  if (n <= 1) return [Math.floor((span - size) / 2)];
  return Array.from({ length: n }, (_, i) => Math.round((i * (span - size)) / (n - 1)));
}

async function main(): Promise<void> {
  const [root, out] = process.argv.slice(2);
  if (!root || !out) throw new Error('usage: make-sources.ts <mate-backgrounds root (…/usr/share/backgrounds/mate)> <out>');
  if (existsSync(out)) throw new Error(`${out} exists; choose a new folder`);
  const manifest: Record<string, unknown> = { train: {}, heldout: HELDOUT_PHOTOS };
  for (const rel of TRAIN_PHOTOS) {
    const name = path.basename(rel, path.extname(rel));
    const dir = path.join(out, 'train', name);
    mkdirSync(dir, { recursive: true });
    const img = await decodeToRgb(path.join(root, rel));
    // the whole photo, as the app would see it (prepare resizes it to 448×256)
    copyFileSync(path.join(root, rel), path.join(dir, `full${path.extname(rel)}`));
    let count = 1;
    for (const width of SCALE_WIDTHS) {
      const height = Math.round((img.height * width) / img.width);
      const scaled = resizeLinearOpenCV(img, width, height);
      for (const y of offsets(height, CROP_H)) {
        for (const x of offsets(width, CROP_W)) {
          writeFileSync(path.join(dir, `w${width}_x${x}_y${y}.png`), await encodePng(crop(scaled, x, y, CROP_W, CROP_H)));
          count++;
        }
      }
    }
    (manifest.train as Record<string, number>)[rel] = count;
    console.log(`${rel}: ${count} frames`);
  }
  mkdirSync(path.join(out, 'heldout'), { recursive: true });
  for (const rel of HELDOUT_PHOTOS) copyFileSync(path.join(root, rel), path.join(out, 'heldout', path.basename(rel)));
  writeFileSync(path.join(out, 'sources.json'), JSON.stringify(manifest, null, 2));
}

await main();
