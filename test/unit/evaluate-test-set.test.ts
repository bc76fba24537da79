import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverTestSet } from '../../src/engine/evaluate/test-set';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'deblur-testset-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function touch(...parts: string[]): Promise<string> {
  const file = path.join(root, ...parts);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, 'x');
  return file;
}

const hash = 'a'.repeat(64);

describe('discoverTestSet', () => {
  it('pairs the course layout by name, ignoring extensions, and lists what does not pair', async () => {
    await touch('course', 'sharp', 'a.png');
    await touch('course', 'sharp', 'b.jpg');
    await touch('course', 'sharp', 'only-sharp.png');
    await touch('course', 'sharp', 'nested', 'c.png');
    await touch('course', 'blur', 'a.jpg');
    await touch('course', 'blur', 'b.jpg');
    await touch('course', 'blur', 'nested', 'c.png');
    await touch('course', 'blur', 'only-blur.png');
    await touch('course', 'blur', 'readme.txt');
    const set = await discoverTestSet(path.join(root, 'course'));
    expect(set.layout).toBe('course');
    expect(set.levels).toEqual([{ level: 'blur', kernel: null, sigma: null }]);
    expect(set.pairs.map((p) => [p.name, path.basename(p.blurred), path.basename(p.sharp)])).toEqual([
      ['a', 'a.jpg', 'a.png'],
      ['b', 'b.jpg', 'b.jpg'],
      ['nested/c', 'c.png', 'c.png'],
    ]);
    expect(set.unmatched.map((u) => [path.basename(u.path), u.reason.split(':')[0]])).toEqual([
      ['readme.txt', 'not-an-image'],
      ['only-blur.png', 'no sharp/ image named only-blur.*'],
      ['only-sharp.png', 'no blur/ image named only-sharp.*'],
    ]);
  });

  it('reads level folders with their kernel and σ', async () => {
    for (const level of ['blur_k3', 'blur_k11', 'blur_k7']) await touch('levels', level, 'x.png');
    await touch('levels', 'sharp', 'x.png');
    const set = await discoverTestSet(path.join(root, 'levels'));
    expect(set.layout).toBe('levels');
    expect(set.levels).toEqual([
      { level: 'blur_k3', kernel: 3, sigma: 0.3 },
      { level: 'blur_k7', kernel: 7, sigma: 1.0 },
      { level: 'blur_k11', kernel: 11, sigma: 1.6 },
    ]);
    expect(set.pairs.map((p) => p.level)).toEqual(['blur_k3', 'blur_k7', 'blur_k11']);
    expect(set.unmatched).toEqual([]);
  });

  it("takes a prepared data set's test split from its manifest", async () => {
    const dir = path.join(root, 'prepared');
    const item = (id: string, split: string) => ({
      id,
      split,
      group: id,
      source: { relPath: `${id}.jpg`, bytes: 1, mtimeMs: 0, width: 448, height: 256, sha256: hash },
      outputs: {
        sharp: { file: `sharp/${split}/${id}.png`, bytes: 1, sha256: hash },
        blur_k7: { file: `blur_k7/${split}/${id}.png`, bytes: 1, sha256: hash },
      },
    });
    const manifest = {
      format: 'deblur-studio/prepared-dataset',
      version: 1,
      complete: true,
      createdAt: 'now',
      updatedAt: 'now',
      app: { name: 'deblur-studio', version: '0' },
      sharp: { sharp: '0', libvips: '0' },
      source: { path: '/photos' },
      settings: { width: 448, height: 256, levels: [7], sigmas: { '7': 1.0 }, fraction: 1, seed: 1, split: [0.8, 0.1, 0.1], limitInputPixels: 1, resize: 'r', blur: 'b', png: { compressionLevel: 3 } },
      splits: { train: { groups: 1, images: 1 }, val: { groups: 0, images: 0 }, test: { groups: 2, images: 2 } },
      items: [item('t2', 'test'), item('tr', 'train'), item('t1', 'test')],
      skipped: [],
    };
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    const set = await discoverTestSet(dir);
    expect(set.layout).toBe('prepared');
    expect(set.pairs.map((p) => [p.name, p.level, p.kernel, p.sigma, path.relative(dir, p.blurred), path.relative(dir, p.sharp)])).toEqual([
      ['t1', 'blur_k7', 7, 1.0, 'blur_k7/test/t1.png', 'sharp/test/t1.png'],
      ['t2', 'blur_k7', 7, 1.0, 'blur_k7/test/t2.png', 'sharp/test/t2.png'],
    ]);
  });

  it('refuses a manifest that names a file outside its data set, naming the manifest and the field', async () => {
    const dir = path.join(root, 'prepared');
    const good = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { items: Array<{ outputs: { sharp: { file: string } }; source: { relPath: string } }> };
    for (const [where, value] of [['outputs', '../../etc/passwd'], ['outputs', '/etc/passwd'], ['outputs', 'sharp/./x.png'], ['source', 'a\\..\\b.jpg']] as const) {
      const bad = structuredClone(good);
      if (where === 'outputs') bad.items[0]!.outputs.sharp.file = value;
      else bad.items[0]!.source.relPath = value;
      const badDir = path.join(root, 'prepared-bad');
      await mkdir(badDir, { recursive: true });
      await writeFile(path.join(badDir, 'manifest.json'), JSON.stringify(bad));
      const field = where === 'outputs' ? 'items.0.outputs.sharp.file' : 'items.0.source.relPath';
      await expect(discoverTestSet(badDir), value).rejects.toThrow(`${path.join(badDir, 'manifest.json')} is not a data set manifest of this app: ${field}: must be a path inside the folder`);
    }
  });

  it('says which layouts it expects when a folder is none of them', async () => {
    await touch('nothing', 'photos', 'a.png');
    await expect(discoverTestSet(path.join(root, 'nothing'))).rejects.toThrow(/sharp\/ folder next to blur\/ .*blur_k3/);
    await expect(discoverTestSet(path.join(root, 'missing'))).rejects.toThrow(/is not a folder/);
  });
});
