import { z } from 'zod';

/**
 * The example crops of an evaluation are images shown by the report and the app: only a base64 data URL
 * of a PNG, JPEG or WebP is one. Anything else (javascript:, file:, http:, SVG, which can hold script,
 * or text that merely looks like a data URL) is refused where the eval.json is read, and again where the
 * report writes an <img src>.
 */

const PREFIX = /^data:image\/(png|jpeg|webp);base64,/;

/** The first bytes each format's files start with (the declared type must match the data). */
const SIGNATURES: Record<string, (b: Buffer) => boolean> = {
  png: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  jpeg: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  webp: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};

function isBase64(s: string): boolean {
  if (s.length === 0 || s.length % 4 !== 0) return false;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  // A loop, not a regex: crops are up to megabytes and this runs on every one.
  for (let i = 0; i < s.length - pad; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  return true;
}

/** Why `s` is not an image data URL, or null when it is one. */
export function imageDataUrlProblem(s: string): string | null {
  const m = PREFIX.exec(s);
  if (!m) return `not an image data URL: expected data:image/png, jpeg or webp;base64,… but it starts with ${JSON.stringify(s.slice(0, 40))}`;
  const payload = s.slice(m[0].length);
  if (!isBase64(payload)) return 'the data URL\'s payload is not base64 (only A-Z a-z 0-9 + / and "=" padding)';
  if (!SIGNATURES[m[1]!]!(Buffer.from(payload.slice(0, 16), 'base64'))) return `the data URL says image/${m[1]} but its bytes are not a ${m[1]!.toUpperCase()} file`;
  return null;
}

export function isImageDataUrl(s: string): boolean {
  return imageDataUrlProblem(s) === null;
}

export const imageDataUrlSchema = z
  .string()
  .superRefine((s, ctx) => {
    const problem = imageDataUrlProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .brand<'ImageDataUrl'>();

export type ImageDataUrl = z.output<typeof imageDataUrlSchema>;

/** Checks a data URL the app made itself, and gives it the type the eval file's crops have. */
export function asImageDataUrl(s: string): ImageDataUrl {
  const problem = imageDataUrlProblem(s);
  if (problem) throw new Error(`internal: an example crop is not a valid image: ${problem}`);
  return s as ImageDataUrl;
}
