import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isInside, realDir, realPathOfFuture } from '../../src/engine/fs/paths';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'fs-paths-')));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('isInside', () => {
  it('accepts the root itself and what lies below it', () => {
    expect(isInside('/data', '/data')).toBe(true);
    expect(isInside('/data', '/data/a/b.png')).toBe(true);
    expect(isInside('/data', '/data/..cache/x')).toBe(true); // a name starting with "..", not a step up
  });

  it('refuses parents, siblings sharing a prefix and steps out', () => {
    expect(isInside('/data', '/')).toBe(false);
    expect(isInside('/data', '/data-other/x')).toBe(false);
    expect(isInside('/data', '/data/../etc/passwd')).toBe(false);
    expect(isInside('/data/a', '/data')).toBe(false);
  });
});

describe('realPathOfFuture', () => {
  it('resolves the deepest existing folder through symlinks and keeps the missing rest', async () => {
    await fs.mkdir(path.join(tmp, 'real'));
    await fs.symlink(path.join(tmp, 'real'), path.join(tmp, 'link'));
    expect(await realPathOfFuture(path.join(tmp, 'link', 'new', 'out.png'))).toBe(path.join(tmp, 'real', 'new', 'out.png'));
    expect(await realPathOfFuture(path.join(tmp, 'real'))).toBe(path.join(tmp, 'real'));
  });

  it('walks past a dangling link unless asked to refuse it, then names the link', async () => {
    const dangling = path.join(tmp, 'gone');
    await fs.symlink(path.join(tmp, 'nowhere'), dangling);
    expect(await realPathOfFuture(path.join(dangling, 'x'))).toBe(path.join(dangling, 'x'));
    await expect(realPathOfFuture(path.join(dangling, 'x'), (link) => new Error(`broken link ${link}`))).rejects.toThrow(`broken link ${dangling}`);
  });
});

describe('realDir', () => {
  it('answers the real folder and names what is wrong otherwise', async () => {
    await fs.mkdir(path.join(tmp, 'photos'));
    await fs.symlink(path.join(tmp, 'photos'), path.join(tmp, 'alias'));
    await fs.writeFile(path.join(tmp, 'file.txt'), 'x');
    expect(await realDir(path.join(tmp, 'alias'), 'source folder')).toBe(path.join(tmp, 'photos'));
    await expect(realDir(path.join(tmp, 'file.txt'), 'source folder')).rejects.toThrow(`the source folder ${path.join(tmp, 'file.txt')} is not a folder`);
    await expect(realDir(path.join(tmp, 'missing'), 'output folder')).rejects.toThrow(`the output folder ${path.join(tmp, 'missing')} cannot be opened`);
  });
});
