import { randomBytes } from 'node:crypto';
import { promises as fs, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertConfined } from './confinement';
import { describeFsError, withFsContext } from './errors';
import { writeSeam } from './write-seam';

/**
 * Crash-safe writes: data goes to a temp file next to the target and is renamed over it, so a
 * reader (or a resumed job after a kill) sees either the old file or the complete new one, never
 * a half-written one. Rename is atomic only within one filesystem, hence "next to the target".
 */

/** Marker in every temp name, so leftovers of a killed process can be recognised and removed. */
export const TEMP_MARKER = '.tmp-';

export function tempPathFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  const base = path.basename(finalPath);
  return path.join(dir, `.${base}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`);
}

export function isTempPath(p: string): boolean {
  const base = path.basename(p);
  return base.startsWith('.') && base.includes(TEMP_MARKER);
}

export interface AtomicWriteOptions {
  /**
   * fsync the file (and its folder) before/after the rename so the write survives a power cut,
   * not only a process kill. Costs a disk flush per file: off for bulk outputs that can be
   * regenerated, on for manifests and checkpoints.
   */
  durable?: boolean;
}

export interface PlaceOptions extends AtomicWriteOptions {
  /** never replace: fail with EEXIST when `finalPath` exists (a hard link, which cannot replace, instead of a rename) */
  exclusive?: boolean;
  /** the app's own folder (its cache), not one a request named: written even where the engine is confined */
  ownFolder?: boolean;
}

export async function writeFileAtomic(finalPath: string, data: string | Uint8Array, opts: PlaceOptions = {}): Promise<void> {
  const durable = opts.durable ?? true;
  await produceFileAtomic(finalPath, (tmp) => withFsContext(finalPath, 'write', () => writeNewFile(tmp, data, { durable })), opts);
}

/**
 * Crash-safe write of a file another writer produces at a path it is given (a PDF printer):
 * `produce` writes the temp name, which is then put in place as writeFileAtomic does. Errors of
 * `produce` pass unchanged; the temp file is removed on every path.
 */
export async function produceFileAtomic(finalPath: string, produce: (tmp: string) => Promise<void>, opts: PlaceOptions = {}): Promise<void> {
  if (!opts.ownFolder) await assertConfined(finalPath, 'write');
  const tmp = tempPathFor(finalPath);
  try {
    await produce(tmp);
    await withFsContext(finalPath, 'write', async () => {
      if (!opts.exclusive) await fs.rename(tmp, finalPath);
      else if (!(await placeExclusively(tmp, finalPath))) throw Object.assign(new Error(`EEXIST: ${finalPath} exists`), { code: 'EEXIST' });
    });
  } finally {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
  if (opts.durable ?? true) await syncDir(path.dirname(finalPath));
}

/** Writes `data` through the write seam into `file`, which must not exist yet (a temp name). */
export async function writeNewFile(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await writeSeam.write(handle, data, file);
    if (opts.durable ?? true) await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Gives the written file `tmp` the name `target` unless that name exists: true when `tmp` now also
 * exists as `target`, false when `target` already existed. A hard link cannot replace a file,
 * unlike a rename, so a name taken meanwhile is never overwritten.
 */
export async function placeExclusively(tmp: string, target: string): Promise<boolean> {
  try {
    await fs.link(tmp, target);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Filesystems without hard links (FAT, some network shares): copy exclusively instead.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV' || code === 'ENOSYS') {
      try {
        await fs.copyFile(tmp, target, fs.constants.COPYFILE_EXCL);
        return true;
      } catch (copyErr) {
        if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw copyErr;
      }
    }
    throw err;
  }
}

/**
 * The synchronous writeFileAtomic for callers that cannot wait (a worker file needed while a
 * module loads); not durable and not through the write seam, so only for files that can be made again.
 */
export function writeFileAtomicSync(finalPath: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(finalPath);
  try {
    writeFileSync(tmp, data, { flag: 'wx' });
    renameSync(tmp, finalPath);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw describeFsError(err, finalPath, 'write');
  }
}

/**
 * Builds a new folder whole in a temp folder beside `finalDir` (`fill`), then renames it into place,
 * so the folder appears complete or not at all. Unlike replaceDirAtomic nothing is ever replaced:
 * `finalDir` may at most be an empty folder, and `check` (the caller's "is it still free?") runs
 * again just before the rename, since filling may take a while. Errors pass unchanged. Files a user puts
 * in `finalDir` between that check and the rename are never removed: the publish fails (ENOTEMPTY) instead.
 */
export async function publishNewDir<T>(finalDir: string, fill: (tmpDir: string) => Promise<T>, check: () => Promise<void>): Promise<T> {
  await assertConfined(finalDir, 'write');
  const tmp = tempPathFor(finalDir);
  try {
    await fs.mkdir(path.dirname(finalDir), { recursive: true });
    await fs.mkdir(tmp);
    const result = await fill(tmp);
    await check();
    // only an empty folder is removed (rmdir, not rm -r): one filled since stays whole and rmdir or rename fails
    await fs.rmdir(finalDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await fs.rename(tmp, finalDir);
    return result;
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * Puts the finished folder `tmpDir` in place of `finalDir` (e.g. a checkpoint written file by file
 * into a temp folder). POSIX has no atomic swap of two non-empty folders, so the old folder is
 * first renamed aside and removed after the swap. A crash between the two renames leaves
 * `finalDir` missing and `<finalDir>.old-*` present: `recoverReplacedDir` puts it back.
 * Both folders must be on the same filesystem (the caller creates tmpDir next to finalDir, after
 * assertConfined(finalDir, 'write'): by the time of the swap the temp folder is written already).
 */
export async function replaceDirAtomic(tmpDir: string, finalDir: string): Promise<void> {
  const stat = await fs.stat(tmpDir).catch(() => null);
  if (!stat?.isDirectory()) throw new Error(`replaceDirAtomic: ${tmpDir} is not a folder`);
  await syncDir(tmpDir);
  const aside = `${finalDir}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
  let movedAside = false;
  try {
    await fs.rename(finalDir, aside);
    movedAside = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await fs.rename(tmpDir, finalDir);
  } catch (err) {
    if (movedAside) await fs.rename(aside, finalDir).catch(() => undefined);
    throw err;
  }
  await syncDir(path.dirname(finalDir));
  if (movedAside) await fs.rm(aside, { recursive: true, force: true });
}

/**
 * Repairs what a crash inside `replaceDirAtomic` can leave: if `finalDir` is missing but an
 * `.old-*` copy exists, the newest copy is renamed back; stale `.old-*` copies next to an existing
 * `finalDir` are removed. Returns true when it restored a folder.
 */
export async function recoverReplacedDir(finalDir: string): Promise<boolean> {
  const parent = path.dirname(finalDir);
  const prefix = `${path.basename(finalDir)}.old-`;
  const entries = await fs.readdir(parent).catch(() => [] as string[]);
  const asides = entries.filter((e) => e.startsWith(prefix)).map((e) => path.join(parent, e));
  if (asides.length === 0) return false;
  const exists = await fs
    .stat(finalDir)
    .then(() => true)
    .catch(() => false);
  let restored = false;
  if (!exists) {
    const withTimes = await Promise.all(asides.map(async (p) => ({ p, t: (await fs.stat(p)).mtimeMs })));
    withTimes.sort((a, b) => b.t - a.t);
    const newest = withTimes[0] as { p: string };
    await fs.rename(newest.p, finalDir);
    restored = true;
  }
  for (const p of asides) await fs.rm(p, { recursive: true, force: true });
  return restored;
}

/** Removes temp files left by killed writers anywhere under `dir`; returns how many it removed. */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  let removed = 0;
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) removed += await removeStaleTempFiles(p);
    else if (isTempPath(p)) {
      await fs.rm(p, { force: true });
      removed++;
    }
  }
  return removed;
}

async function syncDir(dir: string): Promise<void> {
  // Flushing a folder makes the rename itself durable. Not supported on every platform (Windows): best effort.
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
