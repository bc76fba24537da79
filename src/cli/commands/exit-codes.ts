/**
 * Exit codes of every command (README, "Command line"): 0 all done, 1 error (nothing useful done),
 * 3 partial (the job finished but skipped or failed some inputs; the summary lists them),
 * 130 cancelled (Ctrl-C).
 */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_PARTIAL = 3;
export const EXIT_CANCELLED = 130;

/** The summary's note for a job that skipped or failed inputs ('' when none did). */
export function partialNote(skipped: number, total: number): string {
  return skipped === 0 ? '' : ` — partial: ${skipped} of ${total} input(s) skipped or failed (exit code ${EXIT_PARTIAL})`;
}

/** Exits 3 when inputs were skipped or failed (an error code set earlier wins). */
export function exitPartialIf(skipped: number): void {
  if (skipped > 0 && !process.exitCode) process.exitCode = EXIT_PARTIAL;
}

export { nameLabel } from '../../shared/name-label';
