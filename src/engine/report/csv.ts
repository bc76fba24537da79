import type { EvalFile, ImageRow } from '../evaluate/eval-schema';
import { imageGain } from '../evaluate/summarize';

/**
 * One CSV row per image and level (RFC 4180: comma-separated, CRLF line ends, quotes where needed).
 * Numbers are written at full precision, "inf" for an infinite PSNR and empty for a missing value,
 * which spreadsheets and pandas (na_values default, float('inf')) read as intended.
 *
 * Formula injection (OWASP "CSV Injection"): a text cell (a name, level or path, which come from file
 * names) that starts with = + - @, a tab or a carriage return would be run as a formula by a
 * spreadsheet, so it gets a leading apostrophe ("'=1+2"). Only text cells: numbers are never prefixed,
 * so a negative number stays a number ("-0.25", "-inf").
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
  /** the blur estimator's reading of the blurred input (empty for one smaller than 256×256) */
  'estimated_blur_sigma',
  'estimated_blur_kernel',
  'estimated_blur_confidence',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell a spreadsheet shows as text: an apostrophe before a formula-like start. */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function cell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
  const text = neutralizeFormula(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
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
    r.blur?.sigma ?? null,
    r.blur?.level.ksize ?? null,
    r.blur?.level.confidence ?? null,
  ];
}

export function evalToCsv(file: EvalFile): string {
  const lines = [CSV_COLUMNS.join(','), ...file.images.map((r) => rowCells(r).map(cell).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
