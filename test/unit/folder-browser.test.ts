import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareNatural, listFolder } from '../../src/host/folder-browser';

/** The browser host's picker: natural order, only images and folders when asked, every root reachable, nothing outside. */
let tmp: string;
let a: string;
let b: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'folder-browser-'));
  a = path.join(tmp, 'a');
  b = path.join(tmp, 'b');
  await mkdir(path.join(a, 'set10'), { recursive: true });
  await mkdir(path.join(a, 'set2'), { recursive: true });
  await mkdir(b);
  for (const f of ['s10.png', 's2.PNG', 's1.jpg', 'notes.txt', '.hidden.png']) await writeFile(path.join(a, f), 'x');
  await writeFile(path.join(b, 'x.png'), 'x');
  await symlink(tmp, path.join(a, 'up'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('listFolder', () => {
  it('sorts folders first, then files, each in natural order (s1, s2, s10)', async () => {
    const r = await listFolder([a], a);
    expect(r.entries.map((e) => e.name)).toEqual(['set2', 'set10', 'notes.txt', 's1.jpg', 's2.PNG', 's10.png']);
    expect(['s10', 's2', 'S1'].sort(compareNatural)).toEqual(['S1', 's2', 's10']);
  });

  it('lists only folders and files of the given extensions, in any case', async () => {
    const r = await listFolder([a], a, { extensions: ['png', 'jpg'] });
    expect(r.entries.map((e) => e.name)).toEqual(['set2', 'set10', 's1.jpg', 's2.PNG', 's10.png']);
  });

  it('reaches every root (each is its own top: no parent), and refuses what lies outside them, through links too', async () => {
    const inB = await listFolder([a, b], b);
    expect(inB.entries.map((e) => e.name)).toEqual(['x.png']);
    expect(inB.parent).toBeNull();
    expect((await listFolder([a, b], undefined)).dir).toBe(await listFolder([a], a).then((r) => r.dir));
    await expect(listFolder([a, b], tmp)).rejects.toThrow(/dir: outside the allowed folders/);
    await expect(listFolder([a], path.join(a, 'up'))).rejects.toThrow(/dir: outside the allowed folders/);
  });
});
