import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import type { JobContext } from '../jobs/job-context';
import {
  DEFAULT_LIMIT_INPUT_PIXELS,
  DecodeError,
  classifyFsError,
  classifySharpError,
  decodeToRgb,
  endMarkerMissing,
  readFileEnds,
  type SkipReason,
} from '../image/decode';
import { OUTSIDE_ROOTS_DETAIL } from '../fs/confinement';
import { walkFolder } from '../fs/walk-folder';
import { mapConcurrent } from '../core/concurrency';

/** File types accepted as photos (by extension, case-insensitive); the content is checked too. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tiff', '.tif', '.bmp']);

export interface ScannedImage {
  /** absolute path */
  path: string;
  /** path relative to the scanned root, '/'-separated */
  relPath: string;
  /**
   * The sequence the image belongs to, used to keep sequences inside one split: the relative folder
   * of the file. Files directly in the root are independent photos, so each is its own group
   * (a flat folder of photos is split by file).
   */
  group: string;
  width: number;
  height: number;
  format: string;
  bytes: number;
  mtimeMs: number;
}

export interface SkippedFile {
  relPath: string;
  reason: SkipReason;
  detail: string;
}

export interface ScanResult {
  root: string;
  /** accepted images, sorted by relPath (code-point order) so everything downstream is reproducible */
  images: ScannedImage[];
  skipped: SkippedFile[];
  /** accepted images per sub-folder ('.' = the root itself), sorted by folder */
  bySubfolder: Array<{ folder: string; images: number }>;
}

export interface ScanOptions {
  limitInputPixels?: number;
  /**
   * 'header' (default): read each file's header with sharp, plus a full decode of files whose end
   * looks truncated. 'decode': fully decode every file (slow on large sets, catches any corruption).
   */
  verify?: 'header' | 'decode';
  /** files probed at once (I/O bound; default 8) */
  concurrency?: number;
  /** real paths of folders to leave out wherever they are reached (prepare's own output inside a linked sub-folder) */
  exclude?: readonly string[];
}

/**
 * Walks `root` recursively and lists usable images; every other file is reported with a reason.
 * Bad files never abort the scan. Symbolic links are followed (fs/walk-folder: each real folder once, no loops).
 */
export async function scanFolder(root: string, opts: ScanOptions = {}, ctx?: JobContext): Promise<ScanResult> {
  const absRoot = path.resolve(root);
  const rootStat = await fs.stat(absRoot).catch((err: unknown) => {
    throw new Error(`cannot scan ${absRoot}: ${(err as Error).message}`);
  });
  if (!rootStat.isDirectory()) throw new Error(`cannot scan ${absRoot}: not a folder`);

  const skipped: SkippedFile[] = [];
  const candidates: Array<{ abs: string; rel: string }> = [];
  const walked = await walkFolder(absRoot, { excludeReal: opts.exclude, beforeFolder: () => ctx?.throwIfCancelled() });
  for (const item of walked) {
    const isImageName = IMAGE_EXTENSIONS.has(path.extname(item.name).toLowerCase());
    if (item.kind === 'unlistable-folder') {
      skipped.push({ relPath: item.rel, reason: 'unreadable', detail: `folder cannot be listed: ${classifyFsError(item.error).detail}` });
    } else if (item.kind === 'dangling-link') {
      skipped.push({ relPath: item.rel, reason: isImageName ? 'unreadable' : 'not-an-image', detail: 'a dangling symbolic link' });
    } else if (item.kind === 'unreadable') {
      skipped.push({ relPath: item.rel, reason: 'unreadable', detail: classifyFsError(item.error).detail });
    } else if (item.kind === 'not-regular') {
      skipped.push({ relPath: item.rel, reason: 'unreadable', detail: 'not a regular file' });
    } else if (item.kind === 'outside-roots') {
      skipped.push({ relPath: item.rel, reason: 'unreadable', detail: OUTSIDE_ROOTS_DETAIL });
    } else if (!isImageName) {
      skipped.push({ relPath: item.rel, reason: 'not-an-image', detail: `extension "${path.extname(item.name) || '(none)'}" is not an accepted image type` });
    } else candidates.push({ abs: item.path, rel: item.rel });
  }

  const limit = opts.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS;
  let done = 0;
  const probed = await mapConcurrent(candidates, opts.concurrency ?? 8, async (c) => {
    ctx?.throwIfCancelled();
    const result = await probeImage(c.abs, limit, opts.verify ?? 'header');
    done++;
    if (done % 16 === 0 || done === candidates.length) ctx?.progress(done / candidates.length, `checked ${done}/${candidates.length} files`);
    return { c, result };
  });

  const images: ScannedImage[] = [];
  for (const { c, result } of probed) {
    if (result instanceof DecodeError) {
      skipped.push({ relPath: c.rel, reason: result.reason, detail: result.detail });
      continue;
    }
    const relDir = path.posix.dirname(c.rel);
    images.push({ path: c.abs, relPath: c.rel, group: relDir === '.' ? c.rel : relDir, ...result });
  }
  images.sort((a, b) => compareStrings(a.relPath, b.relPath));
  skipped.sort((a, b) => compareStrings(a.relPath, b.relPath));
  for (const s of skipped) ctx?.log('warn', `skipped ${s.relPath}: ${s.reason} (${s.detail})`);

  const counts = new Map<string, number>();
  for (const img of images) {
    const folder = path.posix.dirname(img.relPath);
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
  }
  const bySubfolder = [...counts.entries()].sort((a, b) => compareStrings(a[0], b[0])).map(([folder, n]) => ({ folder, images: n }));
  return { root: absRoot, images, skipped, bySubfolder };
}

type Probe = Pick<ScannedImage, 'width' | 'height' | 'format' | 'bytes' | 'mtimeMs'>;

/**
 * Header check of one file; returns a DecodeError (not thrown) for a file to skip. Reads only the
 * header (sharp) and the file's last bytes, so scanning a large set does not read every pixel.
 */
async function probeImage(file: string, limitInputPixels: number, verify: 'header' | 'decode'): Promise<Probe | DecodeError> {
  let size: number;
  let mtimeMs: number;
  let ends: { head: Uint8Array; tail: Uint8Array };
  try {
    const handle = await fs.open(file, 'r'); // fails here for missing permission
    try {
      const stat = await handle.stat();
      size = stat.size;
      mtimeMs = stat.mtimeMs;
      ends = await readFileEnds(handle, size);
    } finally {
      await handle.close();
    }
  } catch (err) {
    return classifyFsError(err);
  }
  if (size === 0) return new DecodeError('empty', 'the file is empty (0 bytes)');
  const endMissing = endMarkerMissing(ends.head, ends.tail);
  let meta: Metadata;
  try {
    meta = await sharp(file, { limitInputPixels: false }).metadata();
  } catch (err) {
    return classifySharpError(err, endMissing);
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) return new DecodeError('corrupt', 'the header has no image size');
  if (width * height > limitInputPixels) {
    const mp = (n: number): string => (n / 1e6).toFixed(1);
    return new DecodeError('too-large', `${width}×${height} = ${mp(width * height)} MP exceeds the limit of ${mp(limitInputPixels)} MP`);
  }
  // A header can be intact while the data is cut short; only a full decode notices. Decoding every
  // file would multiply the cost of a scan, so only files whose end marker is missing are decoded.
  if (verify === 'decode' || endMissing) {
    try {
      await decodeToRgb(file, { limitInputPixels });
    } catch (err) {
      return err instanceof DecodeError ? err : classifySharpError(err, endMissing);
    }
  }
  return { width, height, format: meta.format ?? 'unknown', bytes: size, mtimeMs };
}

/** Code-point order (not locale order): the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
