import { promises as fs } from 'node:fs';
import path from 'node:path';
import { shippedModelsDir } from '../core/resources';
import { isInside, realPathOfFuture } from './paths';

/**
 * The folders an engine may reach through symbolic links it finds inside folders, when its host confines it.
 * The browser host checks every path a request names (path-policy.ts), but a folder can hold links of its own,
 * made by someone with a shell on the host machine, that lead anywhere. A walk (scan, deblur inputs, test sets)
 * reports such a link as 'outside-roots' and does not follow it; files read by name (a data set's images and
 * manifest, a model's files) and every atomic write are checked by assertConfined. Set by the browser host for the
 * engine process it starts (a JSON array of folders); unset (the desktop app, the CLI) nothing is confined.
 */
export const CONFINE_ENV = 'DEBLUR_CONFINE_ROOTS';

/** The confining folders, resolved through symlinks (roots that do not exist allow nothing); null when unconfined. */
export async function confinementRoots(env: NodeJS.ProcessEnv = process.env): Promise<string[] | null> {
  const raw = env[CONFINE_ENV];
  if (raw === undefined || raw === '') return null;
  let given: unknown;
  try {
    given = JSON.parse(raw);
  } catch {
    given = null;
  }
  if (!Array.isArray(given) || !given.every((r): r is string => typeof r === 'string' && path.isAbsolute(r))) {
    // a malformed setting must not leave the engine unconfined: confine to nothing
    return [];
  }
  return (await Promise.all(given.map((r) => fs.realpath(r).catch(() => null)))).filter((r): r is string => r !== null);
}

/** Whether a real (symlink-resolved) path lies inside one of the roots; everything is allowed when roots is null. */
export const withinRoots = (roots: readonly string[] | null, real: string): boolean => roots === null || roots.some((root) => isInside(root, real));

/** How a walk's consumers describe a link it did not follow. */
export const OUTSIDE_ROOTS_DETAIL = 'a symbolic link leading outside the folders this host may use';

/**
 * This process's confinement: the host's roots (confinementRoots of its environment) plus the app's own built-in
 * models, which it reads wherever it is installed. Resolved on every call (a few realpath calls, small next to
 * the read or write it guards), so a root created after the engine started counts.
 */
export async function engineRoots(): Promise<string[] | null> {
  const roots = await confinementRoots();
  if (roots === null) return null;
  const builtins = await fs.realpath(shippedModelsDir()).catch(() => null);
  return builtins === null ? roots : [...roots, builtins];
}

/** A file the confined engine will not read or write: it lies, through a link on the way, outside the roots. */
export class OutsideRootsError extends Error {
  readonly code = 'EOUTSIDE';
  constructor(readonly file: string) {
    super(`${file}: ${OUTSIDE_ROOTS_DETAIL}`);
    this.name = 'OutsideRootsError';
  }
}

/**
 * Refuses (OutsideRootsError) a file the confined engine is about to read by name, or a file or folder it is about to
 * write, whose real location lies outside the roots. For a read, the file itself is resolved: a name that does not
 * resolve passes, and reading it fails on its own. For a write, the folder it goes into is resolved (as far as it
 * exists): the name itself is placed by a rename, which replaces a link there and never writes through it.
 */
export async function assertConfined(file: string, purpose: 'read' | 'write'): Promise<void> {
  const roots = await engineRoots();
  if (roots === null) return;
  const real = purpose === 'read' ? await fs.realpath(file).catch(() => null) : await realPathOfFuture(path.dirname(file));
  if (real !== null && !withinRoots(roots, real)) throw new OutsideRootsError(file);
}
