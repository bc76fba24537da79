import { cropImage, type CropRect } from '../evaluate/crops';
import type { RawImage } from '../image/raw-image';

/**
 * How a photo becomes a width×height frame. 'stretch' (the course's way, the default) resizes the
 * whole photo, so a photo of the other orientation (a portrait photo for the landscape 448×256)
 * is squeezed; 'crop' first cuts the largest centred window of the frame's aspect ratio, then resizes.
 */
export type FrameFit = 'stretch' | 'crop';

/** true when the photo is upright and the frame wide, or the other way round: stretching distorts it most. */
export function isOtherOrientation(width: number, height: number, frameWidth: number, frameHeight: number): boolean {
  if (width === height || frameWidth === frameHeight) return false;
  return width > height !== frameWidth > frameHeight;
}

/** The largest centred window of `frameWidth:frameHeight` aspect inside a width×height photo. */
export function centreCropRect(width: number, height: number, frameWidth: number, frameHeight: number): CropRect {
  // Compare aspect ratios without division: w/h > W/H ⇔ w·H > W·h.
  if (width * frameHeight > frameWidth * height) {
    const w = Math.max(1, Math.round((height * frameWidth) / frameHeight));
    return { x: Math.floor((width - w) / 2), y: 0, width: w, height };
  }
  const h = Math.max(1, Math.round((width * frameHeight) / frameWidth));
  return { x: 0, y: Math.floor((height - h) / 2), width, height: h };
}

/** The photo as the resize step should see it: whole for 'stretch', centre-cropped for 'crop'. */
export function fitToFrame(img: RawImage, frameWidth: number, frameHeight: number, fit: FrameFit): RawImage {
  if (fit === 'stretch') return img;
  const r = centreCropRect(img.width, img.height, frameWidth, frameHeight);
  return r.width === img.width && r.height === img.height ? img : cropImage(img, r);
}
