import { promises as fs } from 'node:fs';
import path from 'node:path';
import { confinementRoots, withinRoots } from './confinement';

/**
 * The one way the engine reads folders (scan, test sets, deblur inputs): symbolic links are followed
 * like the files and folders they point to, each real folder is read once per walk (a link back up
 * the tree, or two links to one folder, cannot loop or double-count), and entries come in code-point
 * order so every machine sees the same sequence. Problems are items of their own, never thrown. In an engine
 * its host confines (confinement.ts), a link leading outside the allowed folders is an 'outside-roots' item,
 * not followed.
 */

export type EntryKind = 'file' | 'folder' | 'dangling-link' | 'not-regular' | 'unreadable' | 'outside-roots';

export interface FolderEntry {
  name: string;
  /** absolute path as reached (through links, not resolved) */
  path: string;
  kind: EntryKind;
  /** for 'unreadable': why stat failed */
  error?: NodeJS.ErrnoException;
}

/**
 * The entries of one folder with links resolved to what they point to; throws when the folder cannot be listed.
 * `roots`: where links may lead (default: the engine's confinement, none when unconfined).
 */
export async function listFolder(dir: string, roots?: readonly string[] | null): Promise<FolderEntry[]> {
  const allowed = roots === undefined ? await confinementRoots() : roots;
  const dirents = await fs.readdir(dir, { withFileTypes: true });
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Promise.all(
    dirents.map(async (d): Promise<FolderEntry> => {
      const abs = path.join(dir, d.name);
      if (d.isDirectory()) return { name: d.name, path: abs, kind: 'folder' };
      if (d.isFile()) return { name: d.name, path: abs, kind: 'file' };
      if (!d.isSymbolicLink()) return { name: d.name, path: abs, kind: 'not-regular' };
      try {
        const target = await fs.stat(abs);
        if (allowed !== null && !withinRoots(allowed, await fs.realpath(abs))) return { name: d.name, path: abs, kind: 'outside-roots' };
        return { name: d.name, path: abs, kind: target.isDirectory() ? 'folder' : target.isFile() ? 'file' : 'not-regular' };
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        return e.code === 'ENOENT' || e.code === 'ELOOP' ? { name: d.name, path: abs, kind: 'dangling-link' } : { name: d.name, path: abs, kind: 'unreadable', error: e };
      }
    }),
  );
}

export type WalkItem =
  | (FolderEntry & { kind: Exclude<EntryKind, 'folder'>; /** '/'-separated, relative to the root */ rel: string })
  | { kind: 'unlistable-folder'; name: string; path: string; rel: string; error: NodeJS.ErrnoException };

export interface WalkOptions {
  /** descend into sub-folders (default true) */
  recursive?: boolean;
  /** entries never reported nor descended into (hidden files, temp files, the job's own output) */
  ignore?: (entry: FolderEntry) => boolean;
  /** real paths of sub-folders never descended into, however they are reached (e.g. an output folder inside a linked sub-folder) */
  excludeReal?: readonly string[];
  /** called before each folder is read: throw to stop (cancellation) */
  beforeFolder?: () => void;
  /** where links may lead (default: the engine's confinement, none when unconfined) */
  roots?: readonly string[] | null;
}

/** Every file (and every problem) under `root`, depth first, in code-point order. `root` must be a folder. */
export async function walkFolder(root: string, opts: WalkOptions = {}): Promise<WalkItem[]> {
  const items: WalkItem[] = [];
  const visited = new Set<string>();
  const excluded = new Set(opts.excludeReal ?? []);
  const recursive = opts.recursive ?? true;
  const roots = opts.roots === undefined ? await confinementRoots() : opts.roots;

  const walk = async (dir: string, rel: string): Promise<void> => {
    opts.beforeFolder?.();
    const real = await fs.realpath(dir).catch(() => path.resolve(dir));
    if (visited.has(real) || (rel !== '' && excluded.has(real))) return; // the root itself is never excluded
    visited.add(real);
    if (!withinRoots(roots, real)) {
      // the root itself reached through a link (a test set's level folder): reported like a linked entry
      items.push({ kind: 'outside-roots', name: path.basename(dir), path: dir, rel: rel || '.' });
      return;
    }
    let entries: FolderEntry[];
    try {
      entries = await listFolder(dir, roots);
    } catch (err) {
      items.push({ kind: 'unlistable-folder', name: path.basename(dir), path: dir, rel: rel || '.', error: err as NodeJS.ErrnoException });
      return;
    }
    for (const entry of entries) {
      if (opts.ignore?.(entry)) continue;
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.kind === 'folder') {
        if (recursive) await walk(entry.path, childRel);
      } else items.push({ ...entry, kind: entry.kind, rel: childRel });
    }
  };
  await walk(path.resolve(root), '');
  return items;
}
