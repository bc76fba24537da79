import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deblurParams } from '../../src/shared/contract';
import { runDeblur } from '../../src/engine/infer/run-deblur';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { selectRuntime } from '../../src/engine/runtime/select';
import { saveTinyModel, syntheticImage, writePng } from './infer-support';

/** A batch run twice: "skip" keeps the first results (no photo.deblurred-2 duplicates) and says so per photo. */
let root: string;
let model: string;
let photos: string;

beforeAll(async () => {
  await selectRuntime();
  root = await mkdtemp(path.join(os.tmpdir(), 'deblur-batch-'));
  model = await saveTinyModel(root);
  photos = path.join(root, 'photos');
  await writePng(path.join(photos, 'a.png'), syntheticImage(40, 24));
  await writePng(path.join(photos, 'b.png'), syntheticImage(40, 24, 2));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('deblur batch and existing outputs', () => {
  it('reports each photo once as it settles, and a second run with skipExisting writes nothing new', async () => {
    const outDir = path.join(photos, 'deblurred');
    const first = createTestContext();
    const r1 = await runDeblur(deblurParams.parse({ inputs: [photos], model, outDir }), first);
    expect(r1.outputs).toHaveLength(2);
    const images = first.events.filter((e) => e.event === 'deblur.image').map((e) => e.payload as { index: number; total: number; output: string | null; reason: string | null });
    expect(images.map((i) => [i.index, i.total, i.reason])).toEqual([[1, 2, null], [2, 2, null]]);

    const second = createTestContext();
    const r2 = await runDeblur(deblurParams.parse({ inputs: [photos], model, outDir, skipExisting: true }), second);
    expect(r2.outputs).toEqual([]);
    expect(r2.skipped.map((s) => s.reason)).toEqual([`kept: ${path.join(outDir, 'a.png')} already exists`, `kept: ${path.join(outDir, 'b.png')} already exists`]);
    expect(second.events.filter((e) => e.event === 'deblur.image').map((e) => (e.payload as { output: string }).output)).toEqual([path.join(outDir, 'a.png'), path.join(outDir, 'b.png')]);
    expect((await readdir(outDir)).sort()).toEqual(['a.png', 'b.png']);

    // without it, the old way: a new name next to the first result
    const r3 = await runDeblur(deblurParams.parse({ inputs: [path.join(photos, 'a.png')], model, outDir }), createTestContext());
    expect(path.basename(r3.outputs[0]!.output)).toBe('a.deblurred.png');
  });

  it('in place (output folder = photo folder) skips by the first name that is not the photo itself', async () => {
    const dir = path.join(root, 'inplace');
    await writePng(path.join(dir, 'c.png'), syntheticImage(40, 24, 3));
    await runDeblur(deblurParams.parse({ inputs: [dir], model, outDir: dir }), createTestContext());
    const again = await runDeblur(deblurParams.parse({ inputs: [path.join(dir, 'c.png')], model, outDir: dir, skipExisting: true }), createTestContext());
    expect(again.outputs).toEqual([]);
    expect(again.skipped[0]?.reason).toBe(`kept: ${path.join(dir, 'c.deblurred.png')} already exists`);
  });
});
