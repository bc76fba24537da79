import { encodePng } from '../image/decode';
import { createRawImage, type RawImage } from '../image/raw-image';
import { asImageDataUrl, type ImageDataUrl } from './image-data-url';

/**
 * Small same-place crops of an example image (blurred, model output, Wiener, sharp) for the report:
 * the window where the blur changed the photo most (largest summed |sharp − blurred|), i.e. where
 * deblurring has something to show, found in one pass with a summed-area table.
 */

export const CROP_WIDTH = 144;
export const CROP_HEIGHT = 96;

export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function mostBlurredWindow(sharp: RawImage, blurred: RawImage, width = CROP_WIDTH, height = CROP_HEIGHT): CropRect {
  const w = Math.min(width, sharp.width);
  const h = Math.min(height, sharp.height);
  const W = sharp.width;
  const H = sharp.height;
  const cn = sharp.channels;
  // sat[(y)(W+1) + x] = Σ of |Δ| over pixels above and left of (x, y)
  const sat = new Float64Array((W + 1) * (H + 1));
  for (let y = 0; y < H; y++) {
    let row = 0;
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * cn;
      for (let c = 0; c < cn; c++) row += Math.abs(sharp.data[i + c]! - blurred.data[i + c]!);
      sat[(y + 1) * (W + 1) + x + 1] = sat[y * (W + 1) + x + 1]! + row;
    }
  }
  let best: CropRect = { x: Math.floor((W - w) / 2), y: Math.floor((H - h) / 2), width: w, height: h };
  let bestSum = -1;
  // A coarse grid of positions is plenty for choosing an illustrative crop.
  const step = Math.max(1, Math.floor(Math.min(w, h) / 8));
  for (let y = 0; y + h <= H; y += step) {
    for (let x = 0; x + w <= W; x += step) {
      const s = sat[(y + h) * (W + 1) + x + w]! - sat[y * (W + 1) + x + w]! - sat[(y + h) * (W + 1) + x]! + sat[y * (W + 1) + x]!;
      if (s > bestSum) {
        bestSum = s;
        best = { x, y, width: w, height: h };
      }
    }
  }
  return best;
}

export function cropImage(img: RawImage, r: CropRect): RawImage {
  const out = createRawImage(r.width, r.height, img.channels);
  const rowBytes = r.width * img.channels;
  for (let j = 0; j < r.height; j++) {
    const from = ((r.y + j) * img.width + r.x) * img.channels;
    out.data.set(img.data.subarray(from, from + rowBytes), j * rowBytes);
  }
  return out;
}

export async function pngDataUrl(img: RawImage): Promise<ImageDataUrl> {
  return asImageDataUrl(`data:image/png;base64,${(await encodePng(img, 9)).toString('base64')}`);
}
