import sharp from 'sharp';
import type { RawImage } from '../image/raw-image';

/** Longest side of the preview images sent with train.preview (small: they travel as events). */
export const PREVIEW_MAX_SIDE = 128;

/** A PNG data URL of the image shrunk to fit PREVIEW_MAX_SIDE (never enlarged). */
export async function previewDataUrl(img: RawImage, maxSide = PREVIEW_MAX_SIDE): Promise<string> {
  const png = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } })
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .png({ compressionLevel: 6 })
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

export async function previewImages(example: { blurred: RawImage; output: RawImage; sharp: RawImage }): Promise<{ blurred: string; output: string; sharp: string }> {
  const [blurred, output, sharpUrl] = await Promise.all([previewDataUrl(example.blurred), previewDataUrl(example.output), previewDataUrl(example.sharp)]);
  return { blurred, output, sharp: sharpUrl };
}
