import type { BlurEstimate } from '../../shared/contract';
import type { RawImage } from '../image/raw-image';
import { estimateBlur } from './estimate';
import { TILE } from './spectrum-features';

/** Lossy formats, whose artefacts the level classifier would read as detail (see EstimateOptions.compressed). */
const LOSSY = new Set(['jpeg', 'jpg', 'webp', 'heif', 'avif']);

/** A format whose compression noise a deconvolution must not amplify (sharp's format names). */
export const isLossyFormat = (format: string): boolean => LOSSY.has(format.toLowerCase());
/** Tiles looked at per photo: ~0.3 s on a 2-core machine, whatever the photo's size. */
const MAX_TILES = 24;

/** The estimate a job reports for a decoded photo: null when it is smaller than one tile. */
export function estimatePhotoBlur(rgb: RawImage, format: string): BlurEstimate | null {
  if (rgb.width < TILE || rgb.height < TILE) return null;
  const e = estimateBlur(rgb, { compressed: isLossyFormat(format), maxTiles: MAX_TILES });
  return { sigma: e.sigma, level: e.level, mildBlur: e.mildBlur };
}
