import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCompleteManifest, type DatasetManifest } from '../../src/engine/data/manifest';
import { prepareDataset, type PrepareResult } from '../../src/engine/data/prepare';
import { decodeToRgb } from '../../src/engine/image/decode';
import { gaussianBlurOpenCV } from '../../src/engine/image/gaussian';
import type { RawImage } from '../../src/engine/image/raw-image';
import { resizeLinearOpenCV } from '../../src/engine/image/resize';
import { CancelledError, createTestContext } from '../../src/engine/jobs/job-context';
import { prepareResult } from '../../src/shared/contract';
import { makeBadInputsFolder, snapshotTree, type BadInputsFolder } from '../helpers/bad-inputs';

let tmp: string;
let folder: BadInputsFolder;
let output: string;
let result: PrepareResult;
let manifest: DatasetManifest;
let sourceBefore: Record<string, string>;

const SIZE = { width: 32, height: 24 };
const params = (out: string) => ({ source: folder.root, output: out, ...SIZE, levels: [3, 7, 11] as Array<3 | 7 | 11>, split: [0.5, 0.25, 0.25] as [number, number, number], seed: 1 });

async function readRgb(file: string): Promise<RawImage> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}
const pixel = (img: RawImage, x: number, y: number): number[] => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
const mean = (img: RawImage): number => img.data.reduce((a, b) => a + b, 0) / img.data.length;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'prepare-'));
  folder = await makeBadInputsFolder(path.join(tmp, 'photos'));
  sourceBefore = await snapshotTree(folder.root);
  output = path.join(tmp, 'out');
  const ctx = createTestContext();
  result = await prepareDataset(params(output), ctx, { limitInputPixels: folder.limitInputPixels, concurrency: 2 });
  manifest = await readCompleteManifest(output);
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('prepareDataset on a folder of awkward inputs', () => {
  it('prepares every good image and lists every bad one with its reason', () => {
    expect(result.images).toBe(Object.keys(folder.accepted).length);
    expect(result.written).toBe(result.images);
    expect(result.reused).toBe(0);
    const skipped = Object.fromEntries(result.skipped.map((s) => [path.relative(folder.root, s.path).split(path.sep).join('/'), s.reason.split(':')[0]]));
    expect(skipped).toEqual(folder.skipped);
    expect(manifest.items.map((i) => i.source.relPath).sort()).toEqual(Object.keys(folder.accepted).sort());
    expect(Object.values(result.bySplit).reduce((a, b) => a + b, 0)).toBe(result.images);
    expect(prepareResult.parse(result)).toEqual(result); // the contract's shape, nothing extra
  });

  it('writes sharp = cv2.resize of the decoded source and blur_k = cv2.GaussianBlur of sharp, as lossless PNG', async () => {
    for (const item of manifest.items) {
      const source = await decodeToRgb(path.join(folder.root, item.source.relPath));
      const sharpOut = await readRgb(path.join(output, item.outputs.sharp!.file));
      expect([sharpOut.width, sharpOut.height]).toEqual([SIZE.width, SIZE.height]);
      expect(Buffer.from(sharpOut.data).equals(Buffer.from(resizeLinearOpenCV(source, SIZE.width, SIZE.height).data))).toBe(true);
      for (const [k, sigma] of [[3, 0.3], [7, 1.0], [11, 1.6]] as const) {
        const blurred = await readRgb(path.join(output, item.outputs[`blur_k${k}`]!.file));
        expect(Buffer.from(blurred.data).equals(Buffer.from(gaussianBlurOpenCV(sharpOut, k, sigma).data))).toBe(true);
      }
    }
  });

  it('records checksums that match the files, and the layout <set>/<split>/<id>.png', async () => {
    for (const item of manifest.items) {
      expect(Object.keys(item.outputs).sort()).toEqual(['blur_k11', 'blur_k3', 'blur_k7', 'sharp']);
      for (const [dir, out] of Object.entries(item.outputs)) {
        expect(out.file).toBe(`${dir}/${item.split}/${item.id}.png`);
        const data = await fs.readFile(path.join(output, out.file));
        expect(data.length).toBe(out.bytes);
        expect(createHash('sha256').update(data).digest('hex')).toBe(out.sha256);
      }
      const src = await fs.readFile(path.join(folder.root, item.source.relPath));
      expect(createHash('sha256').update(src).digest('hex')).toBe(item.source.sha256);
    }
    expect(manifest.settings).toMatchObject({ ...SIZE, levels: [3, 7, 11], sigmas: { '3': 0.3, '7': 1, '11': 1.6 }, seed: 1, fraction: 1 });
    expect(manifest.app.name).toBe('deblur-studio');
    expect(manifest.sharp.sharp).toMatch(/^\d+\.\d+/);
    expect(manifest.source.path).toBe(await fs.realpath(folder.root));
  });

  it('applies EXIF orientation, flattens alpha onto black, converts grey, 16-bit and CMYK to 8-bit RGB', async () => {
    const out = async (rel: string): Promise<RawImage> => readRgb(path.join(output, manifest.items.find((i) => i.source.relPath === rel)!.outputs.sharp!.file));
    // rotated.jpg: displayed red on top, blue at the bottom
    const rotated = await out('rotated.jpg');
    const top = pixel(rotated, 16, 2);
    const bottom = pixel(rotated, 16, 21);
    expect(top[0]).toBeGreaterThan(200);
    expect(top[2]).toBeLessThan(60);
    expect(bottom[2]).toBeGreaterThan(200);
    expect(bottom[0]).toBeLessThan(60);
    expect(manifest.items.find((i) => i.source.relPath === 'rotated.jpg')!.source).toMatchObject({ width: 30, height: 40 });
    // alpha.png: opaque white left, transparent right → black
    const alpha = await out('alpha.png');
    expect(pixel(alpha, 2, 10)).toEqual([255, 255, 255]);
    expect(pixel(alpha, 29, 10)).toEqual([0, 0, 0]);
    expect(mean(await out('grey.png'))).toBeCloseTo(100, 0);
    expect(Math.abs(mean(await out('sixteen-bit.png')) - 128)).toBeLessThanOrEqual(1);
    const cmyk = pixel(await out('cmyk.jpg'), 16, 12);
    expect(Math.abs(cmyk[0]! - 200)).toBeLessThan(40);
    expect(Math.abs(cmyk[1]! - 60)).toBeLessThan(40);
    expect(manifest.items.some((i) => i.source.relPath === 'фото ünïcode.png')).toBe(true);
  });

  it('keeps each sub-folder (sequence) in one split', () => {
    for (const seq of ['seqA', 'seqB']) {
      const splits = new Set(manifest.items.filter((i) => i.group === seq).map((i) => i.split));
      expect(splits.size).toBe(1);
    }
  });

  it('never modifies the source folder', async () => {
    expect(await snapshotTree(folder.root)).toEqual(sourceBefore);
  });

  it('re-running skips what is done and leaves the set identical', async () => {
    const again = await prepareDataset(params(output), createTestContext(), { limitInputPixels: folder.limitInputPixels, verify: 'checksum' });
    expect(again.written).toBe(0);
    expect(again.reused).toBe(result.images);
    const m2 = await readCompleteManifest(output);
    expect(m2.items).toEqual(manifest.items);
    expect(m2.createdAt).toBe(manifest.createdAt);
  });

  it('redoes an item whose output file was damaged', async () => {
    const victim = manifest.items[0]!;
    await fs.writeFile(path.join(output, victim.outputs.blur_k7!.file), 'garbage');
    const again = await prepareDataset(params(output), createTestContext(), { limitInputPixels: folder.limitInputPixels });
    expect(again.written).toBe(1);
    const data = await fs.readFile(path.join(output, victim.outputs.blur_k7!.file));
    expect(createHash('sha256').update(data).digest('hex')).toBe(victim.outputs.blur_k7!.sha256);
  });
});

describe('prepareDataset refuses unsafe or inconsistent folders', () => {
  it('refuses an output folder inside the source folder', async () => {
    await expect(prepareDataset(params(path.join(folder.root, 'seqA', 'new', 'out')), createTestContext())).rejects.toThrow(/inside the source folder/);
    await expect(fs.access(path.join(folder.root, 'seqA', 'new'))).rejects.toThrow(); // nothing was created
    await expect(prepareDataset(params(folder.root), createTestContext())).rejects.toThrow(/inside the source folder/);
    // a folder whose name starts with ".." is still inside (it once passed for a step out)
    await expect(prepareDataset(params(path.join(folder.root, '..out')), createTestContext())).rejects.toThrow(/inside the source folder/);
    await expect(prepareDataset({ ...params(tmp), source: folder.root }, createTestContext())).rejects.toThrow(/source folder .* is inside the output folder/);
    expect(await snapshotTree(folder.root)).toEqual(sourceBefore);
  });

  it('refuses a non-empty folder that holds no prepared data set', async () => {
    const other = path.join(tmp, 'not-empty');
    await fs.mkdir(other, { recursive: true });
    await fs.writeFile(path.join(other, 'my-file.txt'), 'keep me');
    await expect(prepareDataset(params(other), createTestContext())).rejects.toThrow(/not empty/);
  });

  it('refuses to mix settings into an existing data set', async () => {
    await expect(
      prepareDataset({ ...params(output), width: 40 }, createTestContext(), { limitInputPixels: folder.limitInputPixels }),
    ).rejects.toThrow(/other settings/);
  });

  it('fails clearly when the source has no usable image, or the fraction keeps none', async () => {
    const junk = path.join(tmp, 'junk');
    await fs.mkdir(junk, { recursive: true });
    await fs.writeFile(path.join(junk, 'a.txt'), 'no image');
    await expect(prepareDataset({ ...params(path.join(tmp, 'junk-out')), source: junk }, createTestContext())).rejects.toThrow(/no usable images .*1 files skipped: not-an-image/);
    const one = path.join(tmp, 'one');
    await fs.mkdir(one, { recursive: true });
    await fs.copyFile(path.join(folder.root, 'grey.png'), path.join(one, 'grey.png'));
    await expect(prepareDataset({ ...params(path.join(tmp, 'one-out')), source: one, fraction: 0.01 }, createTestContext())).rejects.toThrow(/keeps none of the 1 images/);
  });

  it('stops on cancel with CancelledError, and a re-run completes the set', async () => {
    const out = path.join(tmp, 'cancelled');
    const controller = new AbortController();
    const ctx = createTestContext(controller.signal);
    const progress = ctx.progress.bind(ctx);
    ctx.progress = (f, m) => {
      progress(f, m);
      if (m?.startsWith('prepared 2/')) controller.abort();
    };
    await expect(prepareDataset(params(out), ctx, { limitInputPixels: folder.limitInputPixels, concurrency: 1 })).rejects.toBeInstanceOf(CancelledError);
    const resumed = await prepareDataset(params(out), createTestContext(), { limitInputPixels: folder.limitInputPixels });
    expect(resumed.reused).toBe(2);
    expect(resumed.images).toBe(result.images);
  });
});
