import sharp from 'sharp';
import { classifySharpError, DecodeError, DEFAULT_LIMIT_INPUT_PIXELS, looksTruncated, readImageFile } from '../image/decode';
import type { RawImage } from '../image/raw-image';

/**
 * Reading a photo to deblur and writing the result. Unlike decodeToRgb (training data: alpha
 * flattened), the alpha channel is kept aside and put back unchanged, and the input's format is
 * remembered so the output can be written in the same one.
 *
 * Colour: pixels are converted to 8-bit sRGB (the space the models were trained in) — grey, CMYK,
 * 16-bit and ICC-profiled inputs included — and the EXIF orientation is applied. An output whose
 * input carried an ICC profile is tagged sRGB, so colour-managed viewers show it right; other outputs
 * carry no metadata (sRGB is assumed). Wide-gamut colours outside sRGB are clipped by the conversion.
 */

export interface DecodedPhoto {
  /** EXIF-oriented 8-bit sRGB */
  rgb: RawImage;
  /** width × height alpha values after orientation, or null when the input has none */
  alpha: Uint8Array | null;
  /** sharp's name of the input format: jpeg, png, webp, tiff, gif, heif, … */
  format: string;
  hadIccProfile: boolean;
}

/** Formats written as such when the output format is "same"; the rest become PNG (lossless, alpha). */
const SAME_FORMAT_OUTPUTS = new Set(['jpeg', 'png', 'webp', 'tiff']);
export type OutputKind = 'jpeg' | 'png' | 'webp' | 'tiff';

export const JPEG_QUALITY = 95;

export async function decodePhoto(file: string, limitInputPixels = DEFAULT_LIMIT_INPUT_PIXELS): Promise<DecodedPhoto> {
  const bytes = await readImageFile(file);
  if (bytes.length === 0) throw new DecodeError('empty', 'the file is empty (0 bytes)');
  try {
    const options = { limitInputPixels, failOn: 'error' as const };
    const meta = await sharp(bytes, options).metadata();
    const { data, info } = await sharp(bytes, options).rotate().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const pixels = info.width * info.height;
    if (info.channels !== 3 && info.channels !== 4) throw new DecodeError('corrupt', `decoded to ${info.channels} channels instead of RGB(A)`);
    const rgb: RawImage = { data: new Uint8Array(pixels * 3), width: info.width, height: info.height, channels: 3 };
    let alpha: Uint8Array | null = null;
    if (info.channels === 3) rgb.data.set(data);
    else {
      alpha = new Uint8Array(pixels);
      for (let p = 0; p < pixels; p++) {
        rgb.data[p * 3] = data[p * 4]!;
        rgb.data[p * 3 + 1] = data[p * 4 + 1]!;
        rgb.data[p * 3 + 2] = data[p * 4 + 2]!;
        alpha[p] = data[p * 4 + 3]!;
      }
    }
    return { rgb, alpha, format: meta.format ?? 'unknown', hadIccProfile: meta.icc !== undefined };
  } catch (err) {
    throw classifySharpError(err, looksTruncated(bytes));
  }
}

/** The output format for an input format and the requested `format` parameter. */
export function outputKindFor(inputFormat: string, requested: 'same' | 'png' | 'jpeg'): OutputKind {
  if (requested === 'png' || requested === 'jpeg') return requested;
  return SAME_FORMAT_OUTPUTS.has(inputFormat) ? (inputFormat as OutputKind) : 'png';
}

export function extensionFor(kind: OutputKind): string {
  return kind === 'jpeg' ? '.jpg' : kind === 'tiff' ? '.tif' : `.${kind}`;
}

export function formatHasAlpha(kind: OutputKind): boolean {
  return kind !== 'jpeg';
}

/**
 * Encodes the deblurred pixels with the input's alpha put back unchanged. JPEG has no alpha: the
 * image is composited over white (what viewers show behind transparency), and the caller says so.
 */
export async function encodePhoto(rgb: RawImage, alpha: Uint8Array | null, kind: OutputKind, tagSrgb: boolean): Promise<Buffer> {
  const keepAlpha = alpha !== null && formatHasAlpha(kind);
  let raw: Uint8Array = rgb.data;
  if (alpha !== null) {
    const pixels = rgb.width * rgb.height;
    raw = new Uint8Array(pixels * 4);
    for (let p = 0; p < pixels; p++) {
      raw[p * 4] = rgb.data[p * 3]!;
      raw[p * 4 + 1] = rgb.data[p * 3 + 1]!;
      raw[p * 4 + 2] = rgb.data[p * 3 + 2]!;
      raw[p * 4 + 3] = alpha[p]!;
    }
  }
  let img = sharp(raw, { raw: { width: rgb.width, height: rgb.height, channels: alpha !== null ? 4 : 3 }, limitInputPixels: false });
  if (alpha !== null && !keepAlpha) img = img.flatten({ background: '#ffffff' });
  if (tagSrgb) img = img.withIccProfile('srgb');
  switch (kind) {
    case 'jpeg':
      // 4:4:4: chroma at full resolution, so the sharpened colour edges are not blurred again.
      return img.jpeg({ quality: JPEG_QUALITY, chromaSubsampling: '4:4:4' }).toBuffer();
    case 'png':
      return img.png({ compressionLevel: 6 }).toBuffer();
    case 'webp':
      return img.webp({ quality: JPEG_QUALITY, alphaQuality: 100 }).toBuffer();
    case 'tiff':
      return img.tiff({ compression: 'lzw', predictor: 'horizontal' }).toBuffer();
  }
}
