import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPairLoader, type PairBatch } from '../../src/engine/data/loader';
import { readCompleteManifest, type DatasetManifest } from '../../src/engine/data/manifest';
import { cropFlipToFloat } from '../../src/engine/data/pair-batch';
import { prepareDataset } from '../../src/engine/data/prepare';
import { decodeToRgb } from '../../src/engine/image/decode';
import { gaussianBlurOpenCV } from '../../src/engine/image/gaussian';
import { createTestContext } from '../../src/engine/jobs/job-context';

let tmp: string;
let dataset: string;
let manifest: DatasetManifest;
const SIGMA: Record<number, number> = { 3: 0.3, 7: 1.0, 11: 1.6 };

async function writeNoise(file: string, width: number, height: number, seed: number): Promise<void> {
  const data = Buffer.alloc(width * height * 3);
  let s = seed * 2654435761 + 1;
  for (let k = 0; k < data.length; k++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[k] = s >>> 24;
  }
  await sharp(data, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 }).toFile(file);
}

/** Byte equality of float arrays (vitest's deep equality is slow on large typed arrays). */
function bytesOf(arrays: Float32Array[]): Buffer {
  return Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
}

async function collect(it: AsyncGenerator<PairBatch>): Promise<PairBatch[]> {
  const out: PairBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'loader-'));
  const source = path.join(tmp, 'src');
  for (let i = 0; i < 14; i++) {
    const dir = i < 12 ? path.join(source, `seq${i % 3}`) : source;
    await fs.mkdir(dir, { recursive: true });
    await writeNoise(path.join(dir, `f${i}.png`), 60, 44, i);
  }
  dataset = path.join(tmp, 'set');
  await prepareDataset({ source, output: dataset, width: 48, height: 32, levels: [3, 7], split: [1, 0, 0], seed: 5 }, createTestContext());
  manifest = await readCompleteManifest(dataset);
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('createPairLoader', () => {
  it('pairs each blurred patch with its own sharp patch (checked by re-blurring), crops and flips both alike, on a worker thread', async () => {
    const loader = await createPairLoader(dataset, { split: 'train', batchSize: 5, patchSize: 16, flips: true, seed: 9 });
    try {
      expect(loader.mode).toBe('worker');
      const batches = await collect(loader.batches());
      expect(batches.length).toBe(Math.ceil((14 * 2) / 5));
      let flipped = 0;
      for (const batch of batches) {
        expect(batch.shape).toEqual([batch.items.length, 16, 16, 3]);
        const per = 16 * 16 * 3;
        for (const [n, item] of batch.items.entries()) {
          const entry = manifest.items.find((i) => i.id === item.id)!;
          const sharpFull = await decodeToRgb(path.join(dataset, entry.outputs.sharp!.file));
          const expectSharp = new Float32Array(per);
          const expectBlur = new Float32Array(per);
          cropFlipToFloat(sharpFull, item.x, item.y, 16, 16, item.flipH, item.flipV, expectSharp, 0);
          cropFlipToFloat(gaussianBlurOpenCV(sharpFull, item.level, SIGMA[item.level]!), item.x, item.y, 16, 16, item.flipH, item.flipV, expectBlur, 0);
          expect(bytesOf([batch.sharp.subarray(n * per, (n + 1) * per)]).equals(bytesOf([expectSharp]))).toBe(true);
          expect(bytesOf([batch.blurred.subarray(n * per, (n + 1) * per)]).equals(bytesOf([expectBlur]))).toBe(true);
          if (item.flipH || item.flipV) flipped++;
        }
      }
      expect(flipped).toBeGreaterThan(0);
      expect(flipped).toBeLessThan(28);
    } finally {
      await loader.close();
    }
  });

  it('visits every (image, level) pair exactly once per epoch, in an order reproducible from (seed, epoch)', async () => {
    const loader = await createPairLoader(dataset, { split: 'train', batchSize: 4, seed: 1, epoch: 3 });
    try {
      const epoch3 = await collect(loader.batches());
      const keys = epoch3.flatMap((b) => b.items.map((i) => `${i.id}/${i.level}`));
      expect(keys.length).toBe(28);
      expect(new Set(keys).size).toBe(28);
      expect(epoch3.every((b) => b.epoch === 3)).toBe(true);
      const again = await collect(loader.batches(3));
      expect(again.map((b) => b.items)).toEqual(epoch3.map((b) => b.items));
      expect(bytesOf(again.map((b) => b.sharp)).equals(bytesOf(epoch3.map((b) => b.sharp)))).toBe(true);
      const epoch4 = loader.plan(4).flat().map((p) => `${p.id}/${p.level}`);
      expect(epoch4).not.toEqual(keys);
      expect([...epoch4].sort()).toEqual([...keys].sort());
    } finally {
      await loader.close();
    }
  });

  it('gives full frames by default, the same batches without a worker, and resumes mid-epoch', async () => {
    const common = { split: 'train' as const, batchSize: 3, seed: 2, flips: true, levels: [7] };
    const worker = await createPairLoader(dataset, common);
    const inline = await createPairLoader(dataset, { ...common, useWorker: false });
    try {
      expect(inline.mode).toBe('inline');
      const a = await collect(worker.batches(1));
      const b = await collect(inline.batches(1));
      expect(a[0]!.shape).toEqual([3, 32, 48, 3]);
      expect(a.at(-1)!.shape[0]).toBe(14 % 3);
      expect(a.flatMap((x) => x.items.map((i) => i.level))).toEqual(new Array(14).fill(7));
      expect(b.map((x) => x.items)).toEqual(a.map((x) => x.items));
      expect(bytesOf(b.map((x) => x.blurred)).equals(bytesOf(a.map((x) => x.blurred)))).toBe(true);
      expect(bytesOf(b.map((x) => x.sharp)).equals(bytesOf(a.map((x) => x.sharp)))).toBe(true);
      const resumed = await collect(worker.batches(1, 2));
      expect(resumed[0]!.index).toBe(2);
      expect(resumed.map((x) => x.items)).toEqual(a.slice(2).map((x) => x.items));
      const min = a[0]!.sharp.reduce((m, v) => Math.min(m, v), 1);
      const max = a[0]!.sharp.reduce((m, v) => Math.max(m, v), 0);
      expect(min).toBeGreaterThanOrEqual(0);
      expect(max).toBeLessThanOrEqual(1);
    } finally {
      await worker.close();
      await inline.close();
    }
  });

  it('rejects impossible requests with clear messages', async () => {
    await expect(createPairLoader(dataset, { split: 'train', batchSize: 2, seed: 1, patchSize: 40 })).rejects.toThrow(/does not fit/);
    await expect(createPairLoader(dataset, { split: 'train', batchSize: 2, seed: 1, levels: [11] })).rejects.toThrow(/not in this data set/);
    await expect(createPairLoader(dataset, { split: 'val', batchSize: 2, seed: 1 })).rejects.toThrow(/no images/);
    await expect(createPairLoader(tmp, { split: 'train', batchSize: 2, seed: 1 })).rejects.toThrow(/no prepared data set/);
  });
});
