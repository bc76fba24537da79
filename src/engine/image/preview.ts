import sharp, { type Metadata } from 'sharp';
import { ContractError, type MethodResult } from '../../shared/contract';

/** Pixels the UI may ask to preview; larger photos are refused rather than decoded into the engine's memory. */
const PREVIEW_PIXEL_LIMIT = 300_000_000;

/**
 * A display copy of an image for the UI's viewer (the renderer has no file access): oriented as the camera
 * meant, downscaled to `maxSide`, as a data URL — PNG for lossless sources, JPEG q92 otherwise.
 */
export async function imagePreview(path: string, maxSide: number): Promise<MethodResult<'image.preview'>> {
  let meta: Metadata;
  try {
    meta = await sharp(path, { limitInputPixels: PREVIEW_PIXEL_LIMIT }).metadata();
  } catch (err) {
    throw new ContractError('invalid_payload', `path: cannot read ${path} as an image (${(err as Error).message})`, 'path');
  }
  const swap = (meta.orientation ?? 1) >= 5;
  const originalWidth = (swap ? meta.height : meta.width) ?? 0;
  const originalHeight = (swap ? meta.width : meta.height) ?? 0;
  const lossless = meta.format === 'png' || meta.format === 'tiff' || meta.format === 'webp';
  const pipeline = sharp(path, { limitInputPixels: PREVIEW_PIXEL_LIMIT })
    .rotate()
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb');
  const { data, info } = await (lossless ? pipeline.png() : pipeline.flatten({ background: '#000' }).jpeg({ quality: 92 })).toBuffer({ resolveWithObject: true });
  return {
    dataUrl: `data:image/${lossless ? 'png' : 'jpeg'};base64,${data.toString('base64')}`,
    width: info.width,
    height: info.height,
    originalWidth,
    originalHeight,
    format: meta.format ?? 'unknown',
  };
}
