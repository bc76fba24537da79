import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../engine/fs/paths';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Resolves a URL path inside `root` only (no traversal), defaulting to index.html. */
export async function readStatic(root: string, urlPath: string): Promise<{ body: Buffer; type: string } | null> {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const file = path.resolve(root, `.${rel === '/' ? '/index.html' : rel}`);
  if (!isInside(root, file)) return null;
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return null;
  return { body: await readFile(file), type: TYPES[path.extname(file)] ?? 'application/octet-stream' };
}
