import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isTempPath } from '../fs/atomic';
import { compareStrings, IMAGE_EXTENSIONS } from '../data/scan';
import { OUTPUT_SUFFIX } from './output-file';

/**
 * The files a deblur job works on: files named directly, and the images in folders named (their
 * sub-folders too with `recursive`). Every problem is a skipped entry with a reason, never an abort.
 */

/** Extensions taken from folders: the photo types of the data pipeline plus what else sharp decodes here. */
export const DEBLUR_EXTENSIONS: ReadonlySet<string> = new Set([...IMAGE_EXTENSIONS, '.jfif', '.gif', '.avif', '.heic', '.heif']);

/** Names this app gives outputs that would otherwise replace a file (output-file.ts). */
const EARLIER_OUTPUT = new RegExp(`${OUTPUT_SUFFIX.replace('.', '\\.')}(-\\d+)?$`);

export interface InputFile {
  /** absolute path */
  path: string;
  /** where the output goes, relative to the output folder (sub-folders of a named folder are kept) */
  rel: string;
}

export interface CollectedInputs {
  files: InputFile[];
  skipped: Array<{ path: string; reason: string }>;
}

export interface CollectOptions {
  recursive: boolean;
  /**
   * The output folder: never descended into when it lies inside an input folder; when it is an input
   * folder itself, earlier outputs there (`name.deblurred.jpg`) are not taken as inputs.
   */
  exclude?: string;
}

export async function collectInputs(inputs: readonly string[], opts: CollectOptions): Promise<CollectedInputs> {
  const files: InputFile[] = [];
  const skipped: CollectedInputs['skipped'] = [];
  const seen = new Set<string>();
  const exclude = opts.exclude ? path.resolve(opts.exclude) : null;
  // The output folder inside an input folder is skipped whole; where outputs sit next to inputs
  // (output folder = an input folder), files with output names are skipped.
  const isOutputDir = (p: string) => exclude !== null && p === exclude;
  const isEarlierOutput = (dir: string, name: string) =>
    exclude !== null && (dir === exclude || dir.startsWith(exclude + path.sep)) && EARLIER_OUTPUT.test(path.parse(name).name);

  const addFile = async (abs: string, rel: string) => {
    const real = await fs.realpath(abs).catch(() => abs);
    if (seen.has(real)) return;
    seen.add(real);
    files.push({ path: abs, rel });
  };

  const walk = async (dir: string, relDir: string, visited: Set<string>): Promise<void> => {
    const real = await fs.realpath(dir).catch(() => dir);
    if (visited.has(real)) return; // a symbolic link back up the tree
    visited.add(real);
    let entries: string[];
    try {
      entries = (await fs.readdir(dir)).sort(compareStrings);
    } catch (err) {
      skipped.push({ path: dir, reason: `unreadable: cannot list the folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
      return;
    }
    for (const name of entries) {
      const abs = path.join(dir, name);
      if (name.startsWith('.') || isTempPath(abs) || isOutputDir(abs) || isEarlierOutput(path.resolve(dir), name)) continue;
      const rel = relDir ? `${relDir}/${name}` : name;
      const stat = await fs.stat(abs).catch((err: NodeJS.ErrnoException) => err);
      if (stat instanceof Error) {
        skipped.push({ path: abs, reason: `unreadable: ${stat.code === 'ENOENT' ? 'a dangling link' : stat.message}` });
      } else if (stat.isDirectory()) {
        if (opts.recursive) await walk(abs, rel, visited);
      } else if (!stat.isFile()) {
        skipped.push({ path: abs, reason: 'unreadable: not a regular file' });
      } else if (!DEBLUR_EXTENSIONS.has(path.extname(name).toLowerCase())) {
        skipped.push({ path: abs, reason: `not-an-image: the extension "${path.extname(name) || '(none)'}" is not an image type` });
      } else {
        await addFile(abs, rel);
      }
    }
  };

  for (const input of inputs) {
    const abs = path.resolve(input);
    const stat = await fs.stat(abs).catch((err: NodeJS.ErrnoException) => err);
    if (stat instanceof Error) {
      skipped.push({ path: abs, reason: `unreadable: ${stat.code === 'ENOENT' ? 'does not exist' : stat.message}` });
    } else if (stat.isDirectory()) {
      await walk(abs, '', new Set());
    } else if (stat.isFile()) {
      // A file named explicitly is tried whatever its extension; the decoder says if it is no image.
      await addFile(abs, path.basename(abs));
    } else {
      skipped.push({ path: abs, reason: 'unreadable: not a regular file or folder' });
    }
  }
  return { files, skipped };
}
