import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ContractError, type MethodResult } from '../shared/contract';

/**
 * The browser host's stand-in for a native folder dialog: lists one folder at a time, confined to an allowed
 * root (the user's home by default). Symlinks are resolved first, so a link cannot lead outside the root.
 */
export async function listFolder(root: string, dir: string | undefined): Promise<MethodResult<'fs.list'>> {
  const realRoot = await realpath(root);
  const target = await realpath(dir ?? realRoot).catch(() => {
    throw new ContractError('not_found', `dir: ${dir} does not exist`, 'dir');
  });
  const rel = path.relative(realRoot, target);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new ContractError('forbidden', `dir: outside the allowed folder ${realRoot}`, 'dir');
  if (!(await stat(target)).isDirectory()) throw new ContractError('invalid_payload', `dir: ${target} is not a folder`, 'dir');
  const entries = await readdir(target, { withFileTypes: true });
  const visible = entries
    .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || e.isFile()))
    .map((e) => ({ name: e.name, path: path.join(target, e.name), kind: e.isDirectory() ? ('dir' as const) : ('file' as const) }))
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1));
  return { dir: target, parent: target === realRoot ? null : path.dirname(target), entries: visible };
}
