/**
 * Hostile input: folders given as symbolic links — a test set whose blur/ and sharp/ are links, a
 * source folder with a linked sub-folder that holds prepare's own output, links that loop back up the
 * tree, a deblur input folder with a link to the output folder; in an engine its host confines (the browser
 * host's), links leading out of the allowed folders, and a malformed confinement setting.
 * Fault injected: none beyond the links themselves (real files, real links, real jobs).
 * What must hold: links to folders are followed like folders everywhere a folder is read; every real
 * folder is read once (no loop, no double count); a job never reads its own output back, however it
 * is reached; a confined engine follows no link out of its roots (reported, not read), reads no file by name and
 * writes none through such a link (the built-in models excepted), and a malformed setting confines to nothing
 * rather than to everything.
 */
import '@tensorflow/tfjs-backend-cpu';
import { mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shippedModelsDir } from '../../src/engine/core/resources';
import { readManifest } from '../../src/engine/data/manifest';
import { prepareDataset } from '../../src/engine/data/prepare';
import { scanFolder } from '../../src/engine/data/scan';
import { discoverTestSet } from '../../src/engine/evaluate/test-set';
import { CONFINE_ENV, confinementRoots, OUTSIDE_ROOTS_DETAIL } from '../../src/engine/fs/confinement';
import { writeFileAtomic } from '../../src/engine/fs/atomic';
import { walkFolder } from '../../src/engine/fs/walk-folder';
import { decodeToRgb } from '../../src/engine/image/decode';
import { collectInputs } from '../../src/engine/infer/collect-inputs';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { readModelJson, saveModel } from '../../src/engine/models/io';
import * as tf from '../../src/engine/models/tf';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'links-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A small noisy PNG (noise, so every file has different content). */
async function png(file: string, width = 24, height = 16, seed = 1): Promise<void> {
  const data = Buffer.alloc(width * height * 3);
  let x = seed * 2654435761;
  for (let i = 0; i < data.length; i++) data[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  await mkdir(path.dirname(file), { recursive: true });
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(file);
}

describe('folders given as symbolic links', () => {
  it('eval: a test set whose blur/ and sharp/ are links to folders is a course-layout test set', async () => {
    await png(path.join(tmp, 'data', 'blurred', 'a.png'), 24, 16, 1);
    await png(path.join(tmp, 'data', 'originals', 'a.png'), 24, 16, 2);
    const set = path.join(tmp, 'set');
    await mkdir(set);
    await symlink(path.join(tmp, 'data', 'blurred'), path.join(set, 'blur'));
    await symlink(path.join(tmp, 'data', 'originals'), path.join(set, 'sharp'));
    const found = await discoverTestSet(set);
    expect(found.layout).toBe('course');
    expect(found.pairs).toEqual([expect.objectContaining({ name: 'a', level: 'blur', blurred: path.join(set, 'blur', 'a.png'), sharp: path.join(set, 'sharp', 'a.png') })]);
    expect(found.unmatched).toEqual([]);
  });

  it('prepare: an output folder inside a linked sub-folder of the source is never read back as photos', async () => {
    const source = path.join(tmp, 'source');
    const elsewhere = path.join(tmp, 'elsewhere');
    for (let i = 0; i < 3; i++) await png(path.join(source, `p${i}.png`), 24, 16, 10 + i);
    await png(path.join(elsewhere, 'linked.png'), 24, 16, 20);
    await symlink(elsewhere, path.join(source, 'more'));
    const output = path.join(elsewhere, 'prepared'); // = source/more/prepared through the link
    const params = { source, output, levels: [3 as const], width: 16, height: 8, split: [1, 0, 0] as [number, number, number] };
    for (let run = 0; run < 2; run++) {
      // The second run finds the first run's PNGs inside source/more/prepared: they must stay invisible.
      const result = await prepareDataset(params, createTestContext(), { concurrency: 2, useWorkers: false });
      expect(result.images).toBe(4);
      expect(result.skipped).toEqual([]);
    }
  });

  it('a link back up the tree does not loop, and a folder reached twice is read once', async () => {
    const root = path.join(tmp, 'root');
    await png(path.join(root, 'a', 'x.png'));
    await symlink(root, path.join(root, 'a', 'loop'));
    await symlink(path.join(root, 'a'), path.join(root, 'b'));
    const items = await walkFolder(root);
    expect(items.map((i) => i.rel)).toEqual(['a/x.png']);
    const scan = await scanFolder(root);
    expect(scan.images.map((i) => i.relPath)).toEqual(['a/x.png']);
  });

  it('deblur inputs: linked sub-folders are followed, a link to the output folder is not', async () => {
    const input = path.join(tmp, 'photos');
    const out = path.join(tmp, 'out');
    await png(path.join(input, 'a.png'));
    await png(path.join(tmp, 'other', 'b.png'));
    await png(path.join(out, 'a.png')); // an earlier output
    await symlink(path.join(tmp, 'other'), path.join(input, 'linked'));
    await symlink(out, path.join(input, 'results'));
    await writeFile(path.join(input, 'notes.txt'), 'not an image');
    const { files, skipped } = await collectInputs([input], { recursive: true, exclude: out });
    expect(files.map((f) => f.rel)).toEqual(['a.png', 'linked/b.png']);
    expect(skipped).toEqual([{ path: path.join(input, 'notes.txt'), reason: expect.stringMatching(/^not-an-image/) }]);
  });
});

describe('a confined engine (the browser host sets DEBLUR_CONFINE_ROOTS)', () => {
  afterEach(() => {
    delete process.env[CONFINE_ENV];
  });

  it('reports links out of the roots instead of following them, and follows links that stay inside', async () => {
    const root = path.join(tmp, 'root');
    const outside = path.join(tmp, 'outside');
    await png(path.join(root, 'photos', 'a.png'));
    await png(path.join(outside, 'secret.png'), 24, 16, 2);
    await png(path.join(outside, 'folder', 'b.png'), 24, 16, 3);
    await symlink(path.join(outside, 'secret.png'), path.join(root, 'photos', 'out-file.png'));
    await symlink(path.join(outside, 'folder'), path.join(root, 'photos', 'out-folder'));
    await symlink(path.join(root, 'photos', 'a.png'), path.join(root, 'photos', 'in-file.png'));
    const kinds = async (roots: string[] | null) => (await walkFolder(path.join(root, 'photos'), { roots })).map((i) => `${i.rel}: ${i.kind}`);
    expect(await kinds([await realpath(root)])).toEqual(['a.png: file', 'in-file.png: file', 'out-file.png: outside-roots', 'out-folder: outside-roots']);
    expect(await kinds(null)).toEqual(['a.png: file', 'in-file.png: file', 'out-file.png: file', 'out-folder/b.png: file']);
    // a folder given as the walk's root that is itself a link out (a test set's level folder)
    await symlink(path.join(outside, 'folder'), path.join(root, 'blur'));
    expect((await walkFolder(path.join(root, 'blur'), { roots: [await realpath(root)] })).map((i) => i.kind)).toEqual(['outside-roots']);

    // the jobs' own reading, confined through the environment as the host's engine is
    process.env[CONFINE_ENV] = JSON.stringify([root]);
    const scan = await scanFolder(path.join(root, 'photos'));
    expect(scan.images.map((i) => i.relPath).sort()).toEqual(['a.png', 'in-file.png']);
    expect(scan.skipped).toEqual(expect.arrayContaining([{ relPath: 'out-file.png', reason: 'unreadable', detail: OUTSIDE_ROOTS_DETAIL }, { relPath: 'out-folder', reason: 'unreadable', detail: OUTSIDE_ROOTS_DETAIL }]));
  });

  it('files read by name and files written: refused through a link out of the roots, allowed inside and for built-in models', async () => {
    const root = path.join(tmp, 'root');
    const outside = path.join(tmp, 'outside');
    await png(path.join(outside, 'secret.png'), 24, 16, 2);
    await writeFile(path.join(outside, 'manifest.json'), '{"secret": true}');
    await mkdir(path.join(outside, 'sink'));
    await mkdir(path.join(root, 'set'), { recursive: true });
    await symlink(path.join(outside, 'secret.png'), path.join(root, 'frame.png'));
    await symlink(path.join(outside, 'manifest.json'), path.join(root, 'set', 'manifest.json'));
    await symlink(path.join(outside, 'sink'), path.join(root, 'out'));
    const outsideDetail = new RegExp(OUTSIDE_ROOTS_DETAIL);

    process.env[CONFINE_ENV] = JSON.stringify([root]);
    await expect(decodeToRgb(path.join(root, 'frame.png'))).rejects.toMatchObject({ reason: 'unreadable', detail: OUTSIDE_ROOTS_DETAIL });
    await expect(readManifest(path.join(root, 'set'))).rejects.toThrow(outsideDetail);
    await expect(writeFileAtomic(path.join(root, 'out', 'result.json'), '{}')).rejects.toThrow(outsideDetail);
    await expect(writeFileAtomic(path.join(root, 'out', 'new-folder', 'result.json'), '{}')).rejects.toThrow(outsideDetail);
    // a model or checkpoint saved into a run folder whose sub-folder links out (a save writes a temp folder first)
    await tf.setBackend('cpu');
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    await expect(saveModel(model, path.join(root, 'out', 'model'))).rejects.toThrow(outsideDetail);
    expect(await readdir(path.join(outside, 'sink'))).toEqual([]);
    // inside the roots, and the app's own built-in model wherever it is installed
    await writeFileAtomic(path.join(root, 'result.json'), '{}');
    await expect(readModelJson(path.join(shippedModelsDir(), 'default'))).resolves.toBeTruthy();
    // the desktop app and the CLI confine nothing
    delete process.env[CONFINE_ENV];
    expect((await decodeToRgb(path.join(root, 'frame.png'))).width).toBe(24);
  });

  it('a malformed setting confines to nothing; none set confines nothing', async () => {
    process.env[CONFINE_ENV] = 'not json';
    expect(await confinementRoots()).toEqual([]);
    process.env[CONFINE_ENV] = JSON.stringify(['relative/path']);
    expect(await confinementRoots()).toEqual([]);
    process.env[CONFINE_ENV] = JSON.stringify([tmp, path.join(tmp, 'does-not-exist')]);
    expect(await confinementRoots()).toEqual([await realpath(tmp)]);
    delete process.env[CONFINE_ENV];
    expect(await confinementRoots()).toBeNull();
  });
});
