import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isTempPath } from '../fs/atomic';
import { isInside } from '../fs/paths';
import { OUTSIDE_ROOTS_DETAIL } from '../fs/confinement';
import { walkFolder } from '../fs/walk-folder';
import { IMAGE_EXTENSIONS } from '../data/scan';
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
  const excludeReal = exclude ? await fs.realpath(exclude).catch(() => null) : null;
  // The output folder inside an input folder is skipped whole; where outputs sit next to inputs
  // (output folder = an input folder), files with output names are skipped.
  const isOutputDir = (p: string) => exclude !== null && p === exclude;
  const isEarlierOutput = (dir: string, name: string) =>
    exclude !== null && isInside(exclude, dir) && EARLIER_OUTPUT.test(path.parse(name).name);

  const addFile = async (abs: string, rel: string) => {
    const real = await fs.realpath(abs).catch(() => abs);
    if (seen.has(real)) return;
    seen.add(real);
    files.push({ path: abs, rel });
  };

  const walk = async (dir: string): Promise<void> => {
    const items = await walkFolder(dir, {
      recursive: opts.recursive,
      ignore: (e) => e.name.startsWith('.') || isTempPath(e.path) || isOutputDir(e.path) || isEarlierOutput(path.dirname(path.resolve(e.path)), e.name),
      // The output folder is left out however it is reached, a link to it included.
      excludeReal: excludeReal ? [excludeReal] : [],
    });
    for (const item of items) {
      if (item.kind === 'unlistable-folder') {
        skipped.push({ path: item.path, reason: `unreadable: cannot list the folder (${item.error.code ?? item.error.message})` });
      } else if (item.kind === 'dangling-link') {
        skipped.push({ path: item.path, reason: 'unreadable: a dangling link' });
      } else if (item.kind === 'unreadable') {
        skipped.push({ path: item.path, reason: `unreadable: ${item.error?.message}` });
      } else if (item.kind === 'not-regular') {
        skipped.push({ path: item.path, reason: 'unreadable: not a regular file' });
      } else if (item.kind === 'outside-roots') {
        skipped.push({ path: item.path, reason: `unreadable: ${OUTSIDE_ROOTS_DETAIL}` });
      } else if (!DEBLUR_EXTENSIONS.has(path.extname(item.name).toLowerCase())) {
        skipped.push({ path: item.path, reason: `not-an-image: the extension "${path.extname(item.name) || '(none)'}" is not an image type` });
      } else {
        await addFile(item.path, item.rel);
      }
    }
  };

  for (const input of inputs) {
    const abs = path.resolve(input);
    const stat = await fs.stat(abs).catch((err: NodeJS.ErrnoException) => err);
    if (stat instanceof Error) {
      skipped.push({ path: abs, reason: `unreadable: ${stat.code === 'ENOENT' ? 'does not exist' : stat.message}` });
    } else if (stat.isDirectory()) {
      await walk(abs);
    } else if (stat.isFile()) {
      // A file named explicitly is tried whatever its extension; the decoder says if it is no image.
      await addFile(abs, path.basename(abs));
    } else {
      skipped.push({ path: abs, reason: 'unreadable: not a regular file or folder' });
    }
  }
  return { files, skipped };
}
