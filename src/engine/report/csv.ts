import type { EvalFile, ImageRow } from '../evaluate/eval-schema';
import { imageGain } from '../evaluate/summarize';

/**
 * One CSV row per image and level (RFC 4180: comma-separated, CRLF line ends, quotes where needed).
 * Numbers are written at full precision, "inf" for an infinite PSNR and empty for a missing value,
 * which spreadsheets and pandas (na_values default, float('inf')) read as intended.
 */
export const CSV_COLUMNS = [
  'name',
  'level',
  'kernel',
  'sigma',
  'width',
  'height',
  'model_psnr',
  'model_ssim',
  'identity_psnr',
  'identity_ssim',
  'wiener_psnr',
  'wiener_ssim',
  'gain_over_identity_db',
  'gain_over_wiener_db',
  'model_ms',
  'blurred_path',
  'sharp_path',
] as const;

function cell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function rowCells(r: ImageRow): Array<string | number | null> {
  const wienerGain = r.wiener && Number.isFinite(r.model.psnr) && Number.isFinite(r.wiener.psnr) ? r.model.psnr - r.wiener.psnr : null;
  return [
    r.name,
    r.level,
    r.kernel,
    r.sigma,
    r.width,
    r.height,
    r.model.psnr,
    r.model.ssim,
    r.identity.psnr,
    r.identity.ssim,
    r.wiener?.psnr ?? null,
    r.wiener?.ssim ?? null,
    imageGain(r),
    wienerGain,
    r.ms,
    r.blurred,
    r.sharp,
  ];
}

export function evalToCsv(file: EvalFile): string {
  const lines = [CSV_COLUMNS.join(','), ...file.images.map((r) => rowCells(r).map(cell).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
