import { z } from 'zod';

/**
 * The example crops of an evaluation are images shown by the report and the app: only a base64 data URL
 * of a PNG, JPEG or WebP is one. Anything else (javascript:, file:, http:, SVG, which can hold script,
 * or text that merely looks like a data URL) is refused where the eval.json is read, and again where the
 * report writes an <img src>.
 *
 * Pure TypeScript (no Buffer, no atob): the contract is also loaded in the sandboxed renderer.
 */

const PREFIX = /^data:image\/(png|jpeg|webp);base64,/;

/** Value of a base64 character, -1 for any other character. */
function sextet(c: number): number {
  if (c >= 65 && c <= 90) return c - 65; // A-Z
  if (c >= 97 && c <= 122) return c - 71; // a-z
  if (c >= 48 && c <= 57) return c + 4; // 0-9
  if (c === 43) return 62; // +
  if (c === 47) return 63; // /
  return -1;
}

function isBase64(s: string): boolean {
  if (s.length === 0 || s.length % 4 !== 0) return false;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  // A loop, not a regex: crops are up to megabytes and this runs on every one.
  for (let i = 0; i < s.length - pad; i++) if (sextet(s.charCodeAt(i)) < 0) return false;
  return true;
}

/** The bytes of the first `quads` groups of 4 characters of valid base64 text (3 bytes a group, padding dropped). */
export function decodeBase64Head(s: string, quads: number): number[] {
  const bytes: number[] = [];
  for (let q = 0; q < quads && q * 4 + 4 <= s.length; q++) {
    const chars = s.slice(q * 4, q * 4 + 4);
    const v = [...chars].map((ch) => (ch === '=' ? 0 : sextet(ch.charCodeAt(0))));
    const n = (v[0]! << 18) | (v[1]! << 12) | (v[2]! << 6) | v[3]!;
    const padding = chars.endsWith('==') ? 2 : chars.endsWith('=') ? 1 : 0;
    bytes.push(...[(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff].slice(0, 3 - padding));
  }
  return bytes;
}

const ascii = (b: number[], from: number, to: number) => String.fromCharCode(...b.slice(from, to));
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The first bytes each format's files start with (the declared type must match the data). */
const SIGNATURES: Record<string, (b: number[]) => boolean> = {
  png: (b) => PNG_SIGNATURE.every((x, i) => b[i] === x),
  jpeg: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  webp: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP',
};

/** Why `s` is not an image data URL, or null when it is one. */
export function imageDataUrlProblem(s: string): string | null {
  const m = PREFIX.exec(s);
  if (!m) return `not an image data URL: expected data:image/png, jpeg or webp;base64,… but it starts with ${JSON.stringify(s.slice(0, 40))}`;
  const payload = s.slice(m[0].length);
  if (!isBase64(payload)) return 'the data URL\'s payload is not base64 (only A-Z a-z 0-9 + / and "=" padding)';
  if (!SIGNATURES[m[1]!]!(decodeBase64Head(payload, 4))) return `the data URL says image/${m[1]} but its bytes are not a ${m[1]!.toUpperCase()} file`;
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
