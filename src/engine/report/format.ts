/** How numbers and text appear in the report (HTML, CSV): one place, so every output shows the same digits. */

export const PSNR_DIGITS = 2;
export const SSIM_DIGITS = 4;

/** PSNR in dB: "31.24", "∞" for identical images, "–" when there is none. */
export function fmtPsnr(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (v === Infinity) return '∞';
  return v.toFixed(PSNR_DIGITS);
}

export function fmtSsim(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : v.toFixed(SSIM_DIGITS);
}

/** A signed dB difference: "+1.52", "−0.30". */
export function fmtGain(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  const s = Math.abs(v).toFixed(PSNR_DIGITS);
  return v >= 0 || Number(s) === 0 ? `+${s}` : `−${s}`;
}

export function fmtInt(v: number): string {
  return v.toLocaleString('en-US');
}

/** A value as a data attribute: exact JSON-style number ("Infinity" for +∞), empty when missing. */
export function dataValue(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  return v === Infinity ? 'Infinity' : String(v);
}
