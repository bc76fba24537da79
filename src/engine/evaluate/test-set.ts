import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BLUR_LEVELS } from '../../shared/contract/primitives';
import { blurDirName, readManifest, SHARP_DIR } from '../data/manifest';
import { compareStrings, IMAGE_EXTENSIONS } from '../data/scan';
import { isTempPath } from '../fs/atomic';
import { OUTSIDE_ROOTS_DETAIL } from '../fs/confinement';
import { listFolder, walkFolder } from '../fs/walk-folder';

/**
 * Finds the (blurred, sharp) pairs of a test set. Three layouts:
 *  - prepared: a data set made by `prepare` (manifest.json): its test split, every level;
 *  - levels:   `sharp/` next to `blur_k3/`, `blur_k7/`, `blur_k11/` (any subset, any blur_k<k>);
 *  - course:   `sharp/` next to `blur/` (level unknown: no Wiener baseline).
 * Pairs match by path relative to their folder without the extension (a.jpg ↔ a.png). Files that
 * match nothing, or are not image types, are listed, never fatal.
 */

export type TestSetLayout = 'prepared' | 'levels' | 'course';

export interface TestPair {
  name: string;
  level: string;
  kernel: number | null;
  /** σ of the level's Gaussian when the app knows it (BLUR_LEVELS), else null */
  sigma: number | null;
  blurred: string;
  sharp: string;
}

export interface TestSet {
  root: string;
  layout: TestSetLayout;
  levels: Array<{ level: string; kernel: number | null; sigma: number | null }>;
  pairs: TestPair[];
  unmatched: Array<{ path: string; reason: string }>;
}

const BLUR_DIR = /^blur(?:_k(\d+))?$/;

function sigmaOf(kernel: number | null): number | null {
  return kernel !== null && Object.hasOwn(BLUR_LEVELS, kernel) ? BLUR_LEVELS[kernel as keyof typeof BLUR_LEVELS] : null;
}

export async function discoverTestSet(root: string): Promise<TestSet> {
  const abs = path.resolve(root);
  const stat = await fs.stat(abs).catch(() => null);
  if (!stat?.isDirectory()) throw new Error(`test set ${abs} is not a folder`);
  const manifest = await readManifest(abs);
  if (manifest) return preparedTestSet(abs, manifest);
  return folderTestSet(abs);
}

async function preparedTestSet(root: string, manifest: NonNullable<Awaited<ReturnType<typeof readManifest>>>): Promise<TestSet> {
  const levels = manifest.settings.levels.map((k) => ({ level: blurDirName(k), kernel: k, sigma: manifest.settings.sigmas[String(k)] ?? sigmaOf(k) }));
  const pairs: TestPair[] = [];
  const unmatched: TestSet['unmatched'] = [];
  const items = manifest.items.filter((item) => item.split === 'test').sort((a, b) => compareStrings(a.id, b.id));
  if (!manifest.complete) unmatched.push({ path: path.join(root, 'manifest.json'), reason: 'the data set is not finished: only the images prepared so far are evaluated' });
  for (const level of levels) {
    for (const item of items) {
      const sharp = item.outputs[SHARP_DIR];
      const blurred = item.outputs[level.level];
      if (!sharp || !blurred) {
        unmatched.push({ path: path.join(root, level.level, 'test', item.id), reason: `the manifest lists no ${!sharp ? 'sharp' : level.level} file for ${item.id}` });
        continue;
      }
      pairs.push({ name: item.id, level: level.level, kernel: level.kernel, sigma: level.sigma, blurred: path.join(root, ...blurred.file.split('/')), sharp: path.join(root, ...sharp.file.split('/')) });
    }
  }
  if (items.length === 0) throw new Error(`the prepared data set in ${root} has no test split (0 test images); prepare it with a test fraction > 0`);
  return { root, layout: 'prepared', levels, pairs, unmatched };
}

async function folderTestSet(root: string): Promise<TestSet> {
  // Linked folders count like real ones (blur/ → /data/blurred is a test set too).
  const names = (await listFolder(root)).filter((e) => e.kind === 'folder').map((e) => e.name);
  const blurDirs = names
    .map((name) => ({ name, m: BLUR_DIR.exec(name) }))
    .filter((d): d is { name: string; m: RegExpExecArray } => d.m !== null)
    .map(({ name, m }) => ({ level: name, kernel: m[1] !== undefined ? Number(m[1]) : null }))
    .sort((a, b) => (a.kernel ?? -1) - (b.kernel ?? -1) || compareStrings(a.level, b.level));
  if (!names.includes('sharp') || blurDirs.length === 0) {
    throw new Error(
      `${root} is not a test set: expected a sharp/ folder next to blur/ (course layout) or blur_k3/, blur_k7/, blur_k11/ (one folder per level), ` +
        'or a data set prepared by this app (manifest.json)',
    );
  }
  const unmatched: TestSet['unmatched'] = [];
  const sharp = await imagesByKey(path.join(root, 'sharp'), unmatched);
  const pairs: TestPair[] = [];
  for (const dir of blurDirs) {
    const blurred = await imagesByKey(path.join(root, dir.level), unmatched);
    for (const [key, file] of blurred) {
      const reference = sharp.get(key);
      if (!reference) unmatched.push({ path: file, reason: `no sharp/ image named ${key}.*` });
      else pairs.push({ name: key, level: dir.level, kernel: dir.kernel, sigma: sigmaOf(dir.kernel), blurred: file, sharp: reference });
    }
    for (const [key, file] of sharp) {
      if (!blurred.has(key)) unmatched.push({ path: file, reason: `no ${dir.level}/ image named ${key}.*` });
    }
  }
  const layout: TestSetLayout = blurDirs.every((d) => d.kernel !== null) ? 'levels' : 'course';
  return { root, layout, levels: blurDirs.map((d) => ({ ...d, sigma: sigmaOf(d.kernel) })), pairs, unmatched };
}

/** Image files under `dir` (recursively, links followed) by relative path without extension; others listed as unmatched. */
async function imagesByKey(dir: string, unmatched: TestSet['unmatched']): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const items = await walkFolder(dir, { ignore: (e) => e.name.startsWith('.') || isTempPath(e.path) });
  for (const item of items) {
    if (item.kind === 'unlistable-folder') {
      unmatched.push({ path: item.path, reason: `unreadable: cannot list the folder (${item.error.message})` });
      continue;
    }
    if (item.kind !== 'file') {
      const why = { 'dangling-link': 'a dangling symbolic link', 'not-regular': 'not a regular file', 'outside-roots': OUTSIDE_ROOTS_DETAIL, unreadable: item.error?.message }[item.kind];
      unmatched.push({ path: item.path, reason: `unreadable: ${why}` });
      continue;
    }
    const ext = path.extname(item.name);
    if (!IMAGE_EXTENSIONS.has(ext.toLowerCase())) {
      unmatched.push({ path: item.path, reason: `not-an-image: the extension "${ext || '(none)'}" is not an image type` });
      continue;
    }
    const key = item.rel.slice(0, item.rel.length - ext.length);
    const previous = found.get(key);
    if (previous) unmatched.push({ path: item.path, reason: `ambiguous: ${path.basename(previous)} has the same name; that one is used` });
    else found.set(key, item.path);
  }
  return found;
}
