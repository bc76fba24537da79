import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centreCropRect, isOtherOrientation } from '../../src/engine/data/frame-fit';
import { prepareDataset } from '../../src/engine/data/prepare';
import { cropImage } from '../../src/engine/evaluate/crops';
import { decodeToRgb } from '../../src/engine/image/decode';
import { resizeLinearOpenCV } from '../../src/engine/image/resize';
import { createTestContext } from '../../src/engine/jobs/job-context';

/** prepare --fit: portrait photos are stretched (the default, with a warning each) or centre-cropped, both through the OpenCV-exact resize. */
let tmp: string;
let source: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'prepare-fit-'));
  source = path.join(tmp, 'source');
  await mkdir(source);
  const noise = (w: number, h: number, seed: number) => {
    const data = Buffer.alloc(w * h * 3);
    let x = seed;
    for (let i = 0; i < data.length; i++) data[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    return sharp(data, { raw: { width: w, height: h, channels: 3 } }).png();
  };
  await noise(30, 17, 1).toFile(path.join(source, 'landscape.png'));
  await noise(13, 31, 2).toFile(path.join(source, 'portrait.png'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const params = (output: string, fit?: 'stretch' | 'crop') => ({ source, output, levels: [3 as const], width: 16, height: 8, split: [1, 0, 0] as [number, number, number], ...(fit ? { fit } : {}) });
const sharpOut = (output: string, id: string) => decodeToRgb(path.join(output, 'sharp', 'train', `${id}.png`));

describe('frame fit', () => {
  it('finds the other orientation and the centred window of the frame aspect', () => {
    expect(isOtherOrientation(13, 31, 448, 256)).toBe(true);
    expect(isOtherOrientation(31, 13, 448, 256)).toBe(false);
    expect(isOtherOrientation(20, 20, 448, 256)).toBe(false);
    expect(isOtherOrientation(31, 13, 256, 448)).toBe(true);
    expect(centreCropRect(13, 31, 16, 8)).toEqual({ x: 0, y: 12, width: 13, height: 7 }); // 13 × 8/16 = 6.5 → 7
    expect(centreCropRect(30, 10, 16, 8)).toEqual({ x: 5, y: 0, width: 20, height: 10 });
    expect(centreCropRect(16, 8, 16, 8)).toEqual({ x: 0, y: 0, width: 16, height: 8 });
  });

  it('stretch (default): the whole photo is resized like cv2.resize, with one warning per portrait photo and a count', async () => {
    const output = path.join(tmp, 'stretch');
    const ctx = createTestContext();
    const result = await prepareDataset(params(output), ctx, { useWorkers: false });
    expect(result.portrait).toBe(1);
    const warnings = ctx.logs.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings).toEqual([expect.stringMatching(/^portrait\.png is 13×31, the other orientation than 16×8: it is stretched .*--fit crop/)]);
    const expected = resizeLinearOpenCV(await decodeToRgb(path.join(source, 'portrait.png')), 16, 8);
    expect(Buffer.from((await sharpOut(output, 'portrait')).data).equals(Buffer.from(expected.data))).toBe(true);
  });

  it('crop: the centred window of the frame aspect is cut, then resized like cv2.resize; the setting is in the manifest', async () => {
    const output = path.join(tmp, 'crop');
    const ctx = createTestContext();
    const result = await prepareDataset(params(output, 'crop'), ctx, { useWorkers: false });
    expect(result.portrait).toBe(1);
    for (const [id, w, h] of [['portrait', 13, 31], ['landscape', 30, 17]] as const) {
      const photo = await decodeToRgb(path.join(source, `${id}.png`));
      const expected = resizeLinearOpenCV(cropImage(photo, centreCropRect(w, h, 16, 8)), 16, 8);
      expect(Buffer.from((await sharpOut(output, id)).data).equals(Buffer.from(expected.data))).toBe(true);
    }
    // Running again with the other fit is refused: the folder holds a set made with other settings.
    await expect(prepareDataset(params(output, 'stretch'), createTestContext(), { useWorkers: false })).rejects.toThrow(/other settings .*"fit":"crop"/);
  });

  it('crop on the worker pool gives the same files as on this thread', async () => {
    const inline = path.join(tmp, 'crop');
    const pooled = path.join(tmp, 'crop-pool');
    await prepareDataset(params(pooled, 'crop'), createTestContext(), { useWorkers: true });
    for (const id of ['portrait', 'landscape']) {
      expect(Buffer.from((await sharpOut(pooled, id)).data).equals(Buffer.from((await sharpOut(inline, id)).data))).toBe(true);
    }
  });
});
