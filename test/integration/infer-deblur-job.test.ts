import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deblurParams, deblurResult } from '../../src/shared/contract';
import { runDeblur } from '../../src/engine/infer/run-deblur';
import { CancelledError, createTestContext } from '../../src/engine/jobs/job-context';
import { selectRuntime } from '../../src/engine/runtime/select';
import { saveTinyModel, syntheticImage } from './infer-support';

let root: string;
let model: string;
let photos: string;

/** A folder of good photos of several kinds and bad files of every common kind. */
async function makePhotoFolder(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'sub'), { recursive: true });
  const img = syntheticImage(90, 50);
  const raw = { raw: { width: 90, height: 50, channels: 3 as const } };
  const jpeg = await sharp(img.data, raw).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
  await writeFile(path.join(dir, 'rotated.jpg'), jpeg);
  const rgba = Buffer.alloc(90 * 50 * 4);
  for (let p = 0; p < 90 * 50; p++) rgba.set([img.data[p * 3]!, img.data[p * 3 + 1]!, img.data[p * 3 + 2]!, p % 256], p * 4);
  await writeFile(path.join(dir, 'alpha.png'), await sharp(rgba, { raw: { width: 90, height: 50, channels: 4 } }).png().toBuffer());
  await writeFile(path.join(dir, 'sub', 'grey.png'), await sharp(img.data, raw).greyscale().png().toBuffer());
  await writeFile(path.join(dir, 'tiny.png'), await sharp(Buffer.from([10, 20, 30]), { raw: { width: 1, height: 1, channels: 3 } }).png().toBuffer());
  // bad files
  await writeFile(path.join(dir, 'empty.jpg'), '');
  await writeFile(path.join(dir, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  await writeFile(path.join(dir, 'text.png'), 'this is a text file with a .png name\n');
  await writeFile(path.join(dir, 'notes.txt'), 'not an image');
  await symlink(path.join(dir, 'gone.jpg'), path.join(dir, 'dangling.jpg'));
}

beforeAll(async () => {
  await selectRuntime();
  root = await mkdtemp(path.join(os.tmpdir(), 'deblur-job-'));
  model = await saveTinyModel(root);
  photos = path.join(root, 'photos');
  await makePhotoFolder(photos);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('runDeblur', () => {
  it('deblurs every readable photo, reports every bad file, and never touches an original', async () => {
    const before = await readFile(path.join(photos, 'rotated.jpg'));
    const ctx = createTestContext();
    const params = deblurParams.parse({ inputs: [photos], model, outDir: photos, recursive: true });
    const result = await runDeblur(params, ctx);
    expect(deblurResult.parse(result)).toEqual(result); // what the supervisor accepts

    const outputs = Object.fromEntries(result.outputs.map((o) => [path.relative(photos, o.input), o]));
    expect(Object.keys(outputs).sort()).toEqual(['alpha.png', 'rotated.jpg', 'sub/grey.png', 'tiny.png']);
    expect(path.basename(outputs['rotated.jpg']!.output)).toBe('rotated.deblurred.jpg');
    expect(path.basename(outputs['sub/grey.png']!.output)).toBe('grey.deblurred.png');
    // EXIF orientation applied: 90×50 stored, 50×90 shown
    expect([outputs['rotated.jpg']!.width, outputs['rotated.jpg']!.height]).toEqual([50, 90]);
    const rotatedMeta = await sharp(outputs['rotated.jpg']!.output).metadata();
    expect([rotatedMeta.format, rotatedMeta.width, rotatedMeta.height]).toEqual(['jpeg', 50, 90]);
    // alpha passed through unchanged
    const alphaOut = await sharp(outputs['alpha.png']!.output).raw().toBuffer({ resolveWithObject: true });
    expect(alphaOut.info.channels).toBe(4);
    for (let p = 0; p < 90 * 50; p += 97) expect(alphaOut.data[p * 4 + 3]).toBe(p % 256);
    expect(await readFile(path.join(photos, 'rotated.jpg'))).toEqual(before);

    const reasons = Object.fromEntries(result.skipped.map((s) => [path.relative(photos, s.path), s.reason.split(':')[0]]));
    expect(reasons).toEqual({
      'empty.jpg': 'empty',
      'truncated.jpg': 'truncated',
      'text.png': 'not-an-image',
      'notes.txt': 'not-an-image',
      'dangling.jpg': 'unreadable',
    });
    expect(ctx.progressLog[ctx.progressLog.length - 1]).toEqual({ fraction: 1, message: '4 deblurred, 5 skipped' });
    const fractions = ctx.progressLog.map((p) => p.fraction);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
  });

  it('writes the chosen format into another folder, keeping sub-folders', async () => {
    const out = path.join(root, 'as-png');
    const fresh = path.join(root, 'fresh');
    await makePhotoFolder(fresh);
    const result = await runDeblur(deblurParams.parse({ inputs: [fresh], model, outDir: out, format: 'png', recursive: true }), createTestContext());
    expect(result.outputs.map((o) => path.relative(out, o.output)).sort()).toEqual(['alpha.png', 'rotated.png', 'sub/grey.png', 'tiny.png']);
    expect((await sharp(path.join(out, 'rotated.png')).metadata()).format).toBe('png');
  });

  it('stops when cancelled and leaves no partial files', async () => {
    const out = path.join(root, 'cancelled');
    const controller = new AbortController();
    const ctx = createTestContext(controller.signal);
    const progress = ctx.progress;
    ctx.progress = (f, m) => {
      progress(f, m);
      if (m?.includes('tile')) controller.abort();
    };
    await expect(runDeblur(deblurParams.parse({ inputs: [photos], model, outDir: out, recursive: true }), ctx)).rejects.toBeInstanceOf(CancelledError);
    const left = await readdir(out).catch(() => []);
    expect(left.filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(left.length).toBeLessThanOrEqual(1);
  });

  it('fails clearly for a missing model', async () => {
    await expect(runDeblur(deblurParams.parse({ inputs: [photos], model: path.join(root, 'no-model'), outDir: root }), createTestContext())).rejects.toThrow(/does not exist/);
  });
});
