import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTempPath, recoverReplacedDir, removeStaleTempFiles, replaceDirAtomic, tempPathFor, writeFileAtomic } from '../../src/engine/fs/atomic';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'atomic-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes new files and replaces existing ones, leaving no temp file', async () => {
    const file = path.join(tmp, 'a.json');
    await writeFileAtomic(file, '{"v":1}');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]), { durable: false });
    expect([...(await fs.readFile(file))]).toEqual([1, 2, 3]);
    expect(await fs.readdir(tmp)).toEqual(['a.json']);
  });

  it('keeps the old content and removes its temp file when the write fails', async () => {
    const file = path.join(tmp, 'keep.txt');
    await writeFileAtomic(file, 'old');
    await fs.mkdir(path.join(tmp, 'dir-in-the-way'));
    // renaming a file over a folder fails: the target stays, the temp file goes
    await expect(writeFileAtomic(path.join(tmp, 'dir-in-the-way'), 'new')).rejects.toThrow();
    expect(await fs.readFile(file, 'utf8')).toBe('old');
    expect((await fs.readdir(tmp)).filter((f) => isTempPath(f))).toEqual([]);
  });

  it('names temp files recognisably, and removeStaleTempFiles clears leftovers of killed writers recursively', async () => {
    const nested = path.join(tmp, 'x', 'y');
    await fs.mkdir(nested, { recursive: true });
    const stale = [tempPathFor(path.join(tmp, 'a.png')), tempPathFor(path.join(nested, 'b.png'))];
    for (const s of stale) await fs.writeFile(s, 'partial');
    await fs.writeFile(path.join(nested, 'b.png'), 'complete');
    expect(stale.every((s) => isTempPath(s))).toBe(true);
    expect(isTempPath(path.join(nested, 'b.png'))).toBe(false);
    expect(await removeStaleTempFiles(tmp)).toBe(2);
    expect(await fs.readdir(nested)).toEqual(['b.png']);
  });
});

describe('replaceDirAtomic', () => {
  it('puts a finished folder in place of an existing one and removes the old one', async () => {
    const final = path.join(tmp, 'checkpoint');
    await fs.mkdir(final);
    await fs.writeFile(path.join(final, 'old.bin'), 'old');
    const staged = path.join(tmp, '.checkpoint.tmp-1');
    await fs.mkdir(staged);
    await fs.writeFile(path.join(staged, 'new.bin'), 'new');
    await replaceDirAtomic(staged, final);
    expect(await fs.readdir(final)).toEqual(['new.bin']);
    expect((await fs.readdir(tmp)).sort()).toEqual(['checkpoint']);
  });

  it('works when there is no old folder yet, and refuses a missing source folder', async () => {
    const staged = path.join(tmp, 'staged');
    await fs.mkdir(staged);
    await replaceDirAtomic(staged, path.join(tmp, 'final'));
    expect(await fs.readdir(tmp)).toEqual(['final']);
    await expect(replaceDirAtomic(path.join(tmp, 'missing'), path.join(tmp, 'final'))).rejects.toThrow(/not a folder/);
  });

  it('recoverReplacedDir restores the old folder after a crash between the two renames', async () => {
    const final = path.join(tmp, 'ckpt');
    const aside = `${final}.old-123-abcd`;
    await fs.mkdir(aside);
    await fs.writeFile(path.join(aside, 'w.bin'), 'weights');
    expect(await recoverReplacedDir(final)).toBe(true);
    expect(await fs.readdir(final)).toEqual(['w.bin']);
    await fs.mkdir(aside);
    expect(await recoverReplacedDir(final)).toBe(false); // final exists: the stale copy is just removed
    expect(await fs.readdir(tmp)).toEqual(['ckpt']);
  });
});
