import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { ContractError } from '../../shared/contract/errors';
import { describeFsError, FsError } from './errors';

/**
 * Output paths are checked before a job starts its work, so a folder in the way, a read-only disk or
 * an earlier result is reported in seconds, not after an hour of evaluation, and never as raw
 * EEXIST/EISDIR text. An existing file is replaced only when the user asked (`overwrite`).
 */

export interface OutputFileCheck {
  /** replace an existing file (the user confirmed, or passed --overwrite) */
  overwrite: boolean;
  /** the params field that named the path, for the error (e.g. "out", "html") */
  field: string;
  /** what the file is, for the message (e.g. "the evaluation file") */
  what: string;
}

/** Throws a clear error unless `file` can be written: not a folder, its folder writable, not existing unless overwrite. */
export async function assertWritableOutputFile(file: string, check: OutputFileCheck): Promise<void> {
  const stat = await fs.stat(file).catch(() => null);
  if (stat?.isDirectory()) {
    throw new ContractError('invalid_payload', `${check.what} ${file} is a folder; name a file (inside it or elsewhere)`, check.field);
  }
  if (stat && !check.overwrite) {
    throw new ContractError('exists', `${check.what} ${file} already exists; choose another name, or pass --overwrite to replace it`, check.field);
  }
  if (stat && !stat.isFile()) throw new ContractError('invalid_payload', `${check.what} ${file} is not a regular file`, check.field);
  await assertWritableFolder(path.dirname(file), file);
}

/** Throws a clear error unless `dir` is (or can be created as) a folder this process may write into. */
export async function assertWritableOutputFolder(dir: string, field: string, what: string): Promise<void> {
  const stat = await fs.stat(dir).catch(() => null);
  if (stat && !stat.isDirectory()) throw new ContractError('invalid_payload', `${what} ${dir} is a file, not a folder; choose a folder`, field);
  await assertWritableFolder(dir, dir);
}

/** The nearest existing folder at or above `dir` must be a folder we may write (mkdir -p creates the rest). */
async function assertWritableFolder(dir: string, target: string): Promise<void> {
  let current = path.resolve(dir);
  for (;;) {
    const stat = await fs.stat(current).catch((err: NodeJS.ErrnoException) => err);
    if (!(stat instanceof Error)) {
      if (!stat.isDirectory()) throw new FsError(`cannot write ${target}: ${current} is a file, not a folder; choose another path (ENOTDIR)`, 'ENOTDIR', target);
      try {
        await fs.access(current, constants.W_OK);
      } catch (err) {
        throw describeFsError(err, target, current === path.resolve(dir) ? 'write' : `create the folder for`);
      }
      return;
    }
    if (stat.code !== 'ENOENT') throw describeFsError(stat, target, 'write');
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/**
 * A free file name for an output the user did not name: `<stem><ext>`, else `<stem>-2<ext>`, … — so
 * a default never replaces an earlier result.
 */
export async function freeOutputName(dir: string, stem: string, ext: string): Promise<string> {
  for (let n = 1; n < 10_000; n++) {
    const candidate = path.join(dir, n === 1 ? `${stem}${ext}` : `${stem}-${n}${ext}`);
    if (!(await fs.stat(candidate).catch(() => null))) return candidate;
  }
  throw new Error(`no free name for ${stem}${ext} in ${dir}`);
}
