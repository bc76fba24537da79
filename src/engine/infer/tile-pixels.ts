import type { RawImage } from '../image/raw-image';
import { reflectIndex } from '../core/reflect-index';
import type { Tile } from './tiling';

/**
 * The model input of one tile: RGB floats in [0, 1], paddedWidth × paddedHeight, HWC. Pixels beyond
 * the image are reflected from the whole image (not the tile), so a padded edge tile sees what a
 * padded whole-image pass sees.
 */
export function readTile(img: RawImage, tile: Tile, out?: Float32Array): Float32Array {
  if (img.channels !== 3) throw new Error(`tiles are RGB; got ${img.channels} channels`);
  const { paddedWidth: pw, paddedHeight: ph } = tile;
  const buf = out && out.length === pw * ph * 3 ? out : new Float32Array(pw * ph * 3);
  const src = img.data;
  const scale = 1 / 255;
  const columns = new Int32Array(pw);
  for (let i = 0; i < pw; i++) columns[i] = reflectIndex(tile.x + i, img.width) * 3;
  let o = 0;
  for (let j = 0; j < ph; j++) {
    const row = reflectIndex(tile.y + j, img.height) * img.width * 3;
    for (let i = 0; i < pw; i++) {
      const s = row + columns[i]!;
      buf[o++] = src[s]! * scale;
      buf[o++] = src[s + 1]! * scale;
      buf[o++] = src[s + 2]! * scale;
    }
  }
  return buf;
}
