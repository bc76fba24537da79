import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectInputs } from '../../src/engine/infer/collect-inputs';
import { writeNewOutput } from '../../src/engine/infer/output-file';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'deblur-files-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function touch(rel: string, content = 'x'): Promise<string> {
  const file = path.join(root, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

describe('writeNewOutput', () => {
  it('never replaces a file: free name first, then .deblurred, then numbered', async () => {
    const dir = path.join(root, 'out');
    const input = await touch('out/photo.jpg', 'original');
    const a = await writeNewOutput(dir, 'photo', '.jpg', Buffer.from('one'), input);
    expect(path.basename(a)).toBe('photo.deblurred.jpg');
    const b = await writeNewOutput(dir, 'photo', '.jpg', Buffer.from('two'), input);
    expect(path.basename(b)).toBe('photo.deblurred-2.jpg');
    const c = await writeNewOutput(dir, 'photo', '.png', Buffer.from('three'), input);
    expect(path.basename(c)).toBe('photo.png');
    expect(await readFile(input, 'utf8')).toBe('original');
    expect(await readFile(a, 'utf8')).toBe('one');
    // no temp files left behind
    expect((await readdir(dir)).sort()).toEqual(['photo.deblurred-2.jpg', 'photo.deblurred.jpg', 'photo.jpg', 'photo.png']);
  });
});

describe('collectInputs', () => {
  it('lists images of folders (sub-folders with recursive), files named directly, and the rest as skipped', async () => {
    const a = await touch('in/a.jpg');
    await touch('in/notes.txt');
    await touch('in/.hidden.png');
    const nested = await touch('in/sub/b.PNG');
    const direct = await touch('elsewhere/c.weird');
    const flat = await collectInputs([path.join(root, 'in'), direct, path.join(root, 'missing.jpg')], { recursive: false });
    expect(flat.files).toEqual([
      { path: a, rel: 'a.jpg' },
      { path: direct, rel: 'c.weird' },
    ]);
    expect(flat.skipped.map((s) => [path.basename(s.path), s.reason.split(':')[0]])).toEqual([
      ['notes.txt', 'not-an-image'],
      ['missing.jpg', 'unreadable'],
    ]);
    const deep = await collectInputs([path.join(root, 'in'), a], { recursive: true });
    expect(deep.files.map((f) => f.rel)).toEqual(['a.jpg', 'sub/b.PNG']);
    expect(deep.files[1]!.path).toBe(nested);
  });

  it('does not read its own outputs: the output folder inside an input, or earlier outputs next to inputs', async () => {
    await touch('mixed/p.jpg');
    await touch('mixed/p.deblurred.jpg');
    await touch('mixed/p.deblurred-3.jpg');
    await touch('mixed/out/p.jpg');
    const inside = await collectInputs([path.join(root, 'mixed')], { recursive: true, exclude: path.join(root, 'mixed', 'out') });
    expect(inside.files.map((f) => f.rel)).toEqual(['p.deblurred-3.jpg', 'p.deblurred.jpg', 'p.jpg']);
    const same = await collectInputs([path.join(root, 'mixed')], { recursive: false, exclude: path.join(root, 'mixed') });
    expect(same.files.map((f) => f.rel)).toEqual(['p.jpg']);
  });
});
