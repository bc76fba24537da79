import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isInside } from './paths';

/**
 * The folders an engine may reach through symbolic links it finds inside folders, when its host confines it.
 * The browser host checks every path a request names (path-policy.ts), but a folder can hold links of its own,
 * made by someone with a shell on the host machine, that lead anywhere; a walk (scan, deblur inputs, test sets)
 * reports such a link as 'outside-roots' and does not follow it. Set by the browser host for the engine process it
 * starts (a JSON array of folders); unset (the desktop app, the CLI) nothing is confined.
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
