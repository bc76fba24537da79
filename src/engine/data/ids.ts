import { createHash } from 'node:crypto';

/**
 * Output file ids from source paths: readable ('000/00000012.png' → '000__00000012') and safe on
 * every filesystem (ASCII letters, digits, '-', '_', '.'; no leading dot, bounded length).
 * Where two sources map to the same id (other extension, characters replaced, case-insensitive
 * filesystems) all of them get a short hash of their path appended, so ids are unique and depend
 * only on the set of paths, never on processing order.
 */
const MAX_BASE_LENGTH = 120;

export function idBase(relPath: string): string {
  const withoutExt = relPath.replace(/\.[^./]*$/, '');
  let base = withoutExt
    .split('/')
    .map((part) => part.replace(/[^A-Za-z0-9._-]/g, '_'))
    .join('__')
    .replace(/^\.+/, '_');
  if (base.length > MAX_BASE_LENGTH) base = base.slice(0, MAX_BASE_LENGTH);
  return base || '_';
}

export function assignIds(relPaths: readonly string[]): Map<string, string> {
  const byKey = new Map<string, string[]>();
  for (const rel of relPaths) {
    const key = idBase(rel).toLowerCase();
    const list = byKey.get(key);
    if (list) list.push(rel);
    else byKey.set(key, [rel]);
  }
  const ids = new Map<string, string>();
  for (const rel of relPaths) {
    const base = idBase(rel);
    const clash = (byKey.get(base.toLowerCase()) as string[]).length > 1 || base.length === MAX_BASE_LENGTH;
    ids.set(rel, clash ? `${base}_${createHash('sha256').update(rel).digest('hex').slice(0, 10)}` : base);
  }
  return ids;
}
