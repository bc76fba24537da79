/**
 * System errors say "ENOSPC: no space left on device, write" and nothing about which file or what
 * to do. Every write the engine does goes through describeFsError, so the message names the file,
 * the action, and a hint the user can act on.
 */

const HINTS: Record<string, string> = {
  ENOSPC: 'the disk is full: free some space or choose a folder on another disk',
  EDQUOT: 'the disk quota is used up: free some space or choose a folder on another disk',
  EACCES: 'permission denied: choose a folder you may write to, or change its permissions',
  EPERM: 'the operation is not permitted: choose a folder you may write to, or change its permissions',
  EROFS: 'the file system is read-only: choose a folder on a writable disk',
  EISDIR: 'a folder has that name: choose a file name, or remove the folder',
  EEXIST: 'a file or folder of that name already exists: choose another name or remove it',
  ENOTDIR: 'a part of the path is a file, not a folder: choose another path',
  ENOTEMPTY: 'the folder is not empty (something was put there meanwhile): choose another folder or empty it',
  ENAMETOOLONG: 'the path is too long: choose a shorter name or folder',
  EMFILE: 'too many files are open: close other programs and try again',
};

/** An error whose message names the path; `code` and `path` stay readable for callers that branch on them. */
export class FsError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FsError';
  }
}

/** `cannot <action> <path>: <hint> (<CODE>)`, or the system's own text for codes without a hint. */
export function describeFsError(err: unknown, path: string, action: string): FsError {
  // An inner write's error (often naming a temp file) is described again for what the caller wrote.
  if (err instanceof FsError) err = err.cause ?? err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const hint = code ? HINTS[code] : undefined;
  const detail = hint ? `${hint} (${code})` : err instanceof Error ? err.message : String(err);
  return new FsError(`cannot ${action} ${path}: ${detail}`, code, path, { cause: err });
}

/** Runs `fn` and rethrows any failure through describeFsError. */
export async function withFsContext<T>(path: string, action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw describeFsError(err, path, action);
  }
}
