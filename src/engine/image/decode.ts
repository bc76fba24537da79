import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import sharp from 'sharp';
import { assertConfined, OUTSIDE_ROOTS_DETAIL, OutsideRootsError } from '../fs/confinement';
import type { RawImage } from './raw-image';

/**
 * Decoding with sharp into the one pixel format the engine computes on: 8-bit sRGB RGB.
 * sharp is used for decoding/encoding only (resize and blur are OpenCV-exact code on raw pixels).
 */

/** Why an input could not be used; the same codes appear in scan and prepare reports. */
export type SkipReason =
  | 'not-an-image' // extension not accepted, or content not a recognised image format
  | 'empty' // 0 bytes
  | 'truncated' // the file ends before the image data does
  | 'corrupt' // recognised format, but the data cannot be decoded
  | 'too-large' // more pixels than the configured limit
  | 'unreadable'; // missing, no permission, dangling link, not a regular file

export class DecodeError extends Error {
  constructor(
    readonly reason: SkipReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'DecodeError';
  }
}

/** 100 megapixels: above any common camera photo, and bounds a decode at ~300 MB of RGB. */
export const DEFAULT_LIMIT_INPUT_PIXELS = 100_000_000;

export interface DecodeOptions {
  /** refuse images with more pixels than this (checked from the header, before decoding) */
  limitInputPixels?: number;
}

/**
 * Reads and decodes an image into 8-bit RGB: applies the EXIF orientation, flattens alpha onto black,
 * converts grey/CMYK/16-bit/ICC-tagged input to 8-bit sRGB. Throws DecodeError with a specific reason.
 */
export async function decodeToRgb(input: string | Uint8Array, opts: DecodeOptions = {}): Promise<RawImage> {
  const bytes = typeof input === 'string' ? await readImageFile(input) : input;
  if (bytes.length === 0) throw new DecodeError('empty', 'the file is empty (0 bytes)');
  const limit = opts.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS;
  try {
    // failOn 'error': harmless decoder warnings (e.g. extraneous bytes) pass, truncation and errors fail.
    const { data, info } = await sharp(bytes, { limitInputPixels: limit, failOn: 'error' })
      .rotate()
      .flatten({ background: '#000000' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new DecodeError('corrupt', `decoded to ${info.channels} channels instead of 3`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  } catch (err) {
    throw classifySharpError(err, looksTruncated(bytes));
  }
}

/** Reads a whole file, mapping filesystem errors to reasons. */
export async function readImageFile(file: string): Promise<Buffer> {
  try {
    await assertConfined(file, 'read');
    return await fs.readFile(file);
  } catch (err) {
    throw classifyFsError(err);
  }
}

export function classifyFsError(err: unknown): DecodeError {
  if (err instanceof OutsideRootsError) return new DecodeError('unreadable', OUTSIDE_ROOTS_DETAIL);
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return new DecodeError('unreadable', 'the file does not exist (or is a dangling link)');
    case 'EACCES':
    case 'EPERM':
      return new DecodeError('unreadable', 'no permission to read the file');
    case 'EISDIR':
      return new DecodeError('unreadable', 'a folder, not a file');
    case 'ELOOP':
      return new DecodeError('unreadable', 'a symbolic link loop');
    default:
      return new DecodeError('unreadable', e.message ?? String(err));
  }
}

/**
 * Maps sharp/libvips messages (which are not typed) to reasons; the raw message is kept as detail. `endMissing`
 * (endMarkerMissing of the file's ends) decides truncation first: libvips' message is read from an error log it
 * shares between calls, so the same cut-off file reads "premature end of JPEG image" one time and only "Bogus
 * Huffman table definition" the next.
 */
export function classifySharpError(err: unknown, endMissing: boolean): DecodeError {
  if (err instanceof DecodeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // first: endMissing is only ever true for a file that starts as a PNG or JPEG, and the message may carry another
  // file's error (a CI rehearsal's cut JPEG read "unsupported image format", a text file's, scanned at the same time)
  if (endMissing) return new DecodeError('truncated', message);
  if (/unsupported image format|bad seek|not a known file format/i.test(message)) {
    return new DecodeError('not-an-image', 'the content is not a recognised image format');
  }
  if (/pixel limit/i.test(message)) return new DecodeError('too-large', message);
  if (/premature end|truncated|unexpected end|end of file|eof/i.test(message)) {
    return new DecodeError('truncated', message);
  }
  return new DecodeError('corrupt', message);
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
const PNG_IEND = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

/**
 * Cheap end-of-file check for the two formats where truncation is common (interrupted copies):
 * a JPEG must end with the EOI marker (FF D9), a PNG with its IEND chunk. Trailing bytes after
 * the end marker are tolerated (some cameras append data), so this only flags files whose last
 * bytes contain no end marker at all. Other formats return false (unknown).
 */
export function looksTruncated(bytes: Uint8Array): boolean {
  return endMarkerMissing(bytes.subarray(0, 8), bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)));
}

/** How many bytes at the end of a file `endMarkerMissing` needs to see. */
export const TAIL_BYTES = 1024;

/** The bytes endMarkerMissing looks at, from an open file of `size` bytes: its first 8 and its last TAIL_BYTES. */
export async function readFileEnds(handle: FileHandle, size: number): Promise<{ head: Uint8Array; tail: Uint8Array }> {
  const head = new Uint8Array(8);
  const tail = new Uint8Array(Math.min(size, TAIL_BYTES));
  await handle.read(head, 0, head.length, 0);
  const { bytesRead } = await handle.read(tail, 0, tail.length, size - tail.length);
  return { head, tail: tail.subarray(0, bytesRead) };
}

/** endMarkerMissing for a file on disk (readFileEnds); false if it cannot be read. */
export async function fileEndMarkerMissing(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const { head, tail } = await readFileEnds(handle, (await handle.stat()).size);
    return endMarkerMissing(head, tail);
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

/** The same check from the first bytes and the last TAIL_BYTES bytes only (no need to read the whole file). */
export function endMarkerMissing(head: Uint8Array, tail: Uint8Array): boolean {
  if (head.length >= 4 && PNG_SIGNATURE.every((b, i) => head[i] === b)) {
    return !containsSequence(tail, PNG_IEND, Math.max(0, tail.length - 64));
  }
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xd8) {
    return !containsSequence(tail, [0xff, 0xd9], 0);
  }
  return false;
}

function containsSequence(bytes: Uint8Array, seq: number[], from: number): boolean {
  outer: for (let i = bytes.length - seq.length; i >= from; i--) {
    for (let k = 0; k < seq.length; k++) if (bytes[i + k] !== seq[k]) continue outer;
    return true;
  }
  return false;
}

/**
 * Lossless PNG of an 8-bit image. The level trades speed for size only, never quality; adaptive
 * row filtering costs ~20 % more time but makes photo PNGs ~3× smaller (measured at level 3).
 */
export async function encodePng(img: RawImage, compressionLevel = 3): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } })
    .png({ compressionLevel, adaptiveFiltering: true })
    .toBuffer();
}
