import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One writer per folder (a prepared data set, a training run): a lock file in the folder holding the
 * writer's pid and host. A lock whose writer is gone (same host, pid no longer alive) is stale and
 * taken over, so a crashed job can simply be run again. A lock from another host cannot be checked
 * and is respected; the refusal says which file to delete if that host's job is known to be gone.
 */

export interface LockHolder {
  pid: number;
  host: string;
  since: string | null;
}

export class FolderLockedError extends Error {
  constructor(
    message: string,
    readonly holder: LockHolder,
    readonly lockFile: string,
  ) {
    super(message);
    this.name = 'FolderLockedError';
  }
}

export interface LockOptions {
  /** the lock file's name inside the folder, e.g. `.prepare.lock` */
  file: string;
  /** the refusal's message, given who holds the lock */
  refusal: (holder: LockHolder, lockFile: string) => string;
}

/** Lock files held by this process: a second job here is refused without reading the file. */
const heldInThisProcess = new Set<string>();

/** Takes the lock on `dir` (which must exist); resolves to its release. */
export async function acquireFolderLock(dir: string, opts: LockOptions): Promise<() => Promise<void>> {
  const file = path.join(dir, opts.file);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  if (heldInThisProcess.has(file)) throw new FolderLockedError(opts.refusal(me, file), me, file);
  heldInThisProcess.add(file);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.writeFile(file, `${JSON.stringify(me)}\n`, { flag: 'wx' });
        return async () => {
          heldInThisProcess.delete(file);
          await fs.rm(file, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = parseHolder(await fs.readFile(file, 'utf8').catch(() => ''));
        if (holder && !isStale(holder)) throw new FolderLockedError(opts.refusal(holder, file), holder, file);
        await fs.rm(file, { force: true }); // stale (its writer is gone) or unreadable
      }
    }
    throw new Error(`cannot lock ${dir}: the lock file ${file} keeps reappearing`);
  } catch (err) {
    heldInThisProcess.delete(file);
    throw err;
  }
}

/** Who holds the lock, or null when there is no (readable) lock. */
export async function readLockHolder(dir: string, lockFile: string): Promise<LockHolder | null> {
  return parseHolder(await fs.readFile(path.join(dir, lockFile), 'utf8').catch(() => ''));
}

/** Lock files are JSON; a bare pid is what earlier versions of prepare wrote (this host). */
function parseHolder(text: string): LockHolder | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), host: os.hostname(), since: null };
  try {
    const json = JSON.parse(trimmed) as Partial<LockHolder>;
    if (!Number.isInteger(json.pid) || (json.pid as number) <= 0 || typeof json.host !== 'string') return null;
    return { pid: json.pid as number, host: json.host, since: typeof json.since === 'string' ? json.since : null };
  } catch {
    return null;
  }
}

function isStale(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return false; // cannot tell: respect it
  if (holder.pid === process.pid) return true; // ours, but not held by a running job here (checked above): a leftover
  return !isAlive(holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** "pid 123" on this host, "pid 123 on host build-7" elsewhere. */
export function describeHolder(holder: LockHolder): string {
  return holder.host === os.hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on host ${holder.host}`;
}
