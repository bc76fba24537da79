import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../engine/fs/paths';
import { ContractError, type MethodResult } from '../shared/contract';

/** Natural order, case-insensitive: s1, s2, s10 (not s1, s10, s2). */
const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
export const compareNatural = (a: string, b: string): number => naturalOrder.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

export interface ListOptions {
  /** list only folders and files with these extensions (without dot, any case) */
  extensions?: readonly string[];
}

/**
 * The browser host's stand-in for a native folder dialog: lists one folder at a time, confined to the allowed
 * roots (the first one opens when no folder is named). Symlinks are resolved first, so a link cannot lead
 * outside a root. Folders come first, then files, each in natural order.
 */
export async function listFolder(roots: string | readonly string[], dir: string | undefined, opts: ListOptions = {}): Promise<MethodResult<'fs.list'>> {
  const given = typeof roots === 'string' ? [roots] : roots;
  const realRoots = (await Promise.all(given.map((r) => realpath(r).catch(() => null)))).filter((r): r is string => r !== null);
  if (realRoots.length === 0) throw new ContractError('not_found', `dir: none of the allowed folders exists (${given.join(', ')})`, 'dir');
  const target = await realpath(dir ?? realRoots[0]!).catch(() => {
    throw new ContractError('not_found', `dir: ${dir} does not exist`, 'dir');
  });
  const root = realRoots.find((r) => isInside(r, target));
  if (!root) throw new ContractError('forbidden', `dir: outside the allowed folders (${realRoots.join(', ')})`, 'dir');
  if (!(await stat(target)).isDirectory()) throw new ContractError('invalid_payload', `dir: ${target} is not a folder`, 'dir');
  const wanted = opts.extensions?.length ? new Set(opts.extensions.map((e) => `.${e.toLowerCase()}`)) : null;
  const entries = await readdir(target, { withFileTypes: true });
  const visible = entries
    .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || (e.isFile() && (!wanted || wanted.has(path.extname(e.name).toLowerCase())))))
    .map((e) => ({ name: e.name, path: path.join(target, e.name), kind: e.isDirectory() ? ('dir' as const) : ('file' as const) }))
    .sort((a, b) => (a.kind === b.kind ? compareNatural(a.name, b.name) : a.kind === 'dir' ? -1 : 1));
  return { dir: target, parent: target === root ? null : path.dirname(target), entries: visible };
}
