import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describeFsError } from './errors';
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

export async function writeFileAtomic(finalPath: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const durable = opts.durable ?? true;
  const tmp = tempPathFor(finalPath);
  try {
    const handle = await fs.open(tmp, 'wx');
    try {
      await writeSeam.write(handle, data, tmp);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, finalPath);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw describeFsError(err, finalPath, 'write');
  }
  if (durable) await syncDir(path.dirname(finalPath));
}

/**
 * Puts the finished folder `tmpDir` in place of `finalDir` (e.g. a checkpoint written file by file
 * into a temp folder). POSIX has no atomic swap of two non-empty folders, so the old folder is
 * first renamed aside and removed after the swap. A crash between the two renames leaves
 * `finalDir` missing and `<finalDir>.old-*` present: `recoverReplacedDir` puts it back.
 * Both folders must be on the same filesystem (the caller creates tmpDir next to finalDir).
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
