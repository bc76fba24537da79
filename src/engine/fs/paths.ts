import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Path safety in one place: containment checks and real (symlink-resolved) locations, used by the
 * engine's jobs and by the browser host's path policy alike.
 */

/**
 * true when `target` is `root` or lies below it. Both must be resolved the same way (absolute,
 * and real paths when symlinks matter). A name that merely starts with ".." ("..cache") is inside.
 */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * The real location of a path that may not exist yet (an output): its deepest existing ancestor
 * resolved through symlinks, plus the rest. With `onBrokenLink`, an ancestor that exists as a link
 * but cannot be resolved (dangling or looping) is refused with the error it returns: writing
 * through it would land wherever it points.
 */
export async function realPathOfFuture(p: string, onBrokenLink?: (link: string) => Error): Promise<string> {
  let existing = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(await fs.realpath(existing), ...rest);
    } catch {
      if (onBrokenLink && (await fs.lstat(existing).then(() => true, () => false))) throw onBrokenLink(existing);
      const parent = path.dirname(existing);
      if (parent === existing) return path.join(existing, ...rest);
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

/** The real path of an existing folder; the error names it as `what` ("source folder") and says what is wrong. */
export async function realDir(p: string, what: string): Promise<string> {
  let real: string;
  try {
    real = await fs.realpath(p);
  } catch (err) {
    throw new Error(`the ${what} ${p} cannot be opened: ${(err as Error).message}`);
  }
  if (!(await fs.stat(real)).isDirectory()) throw new Error(`the ${what} ${p} is not a folder`);
  return real;
}
