import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapConcurrent } from '../../src/engine/core/concurrency';
import { createPairLoader } from '../../src/engine/data/loader';
import { MANIFEST_FILE, MANIFEST_FORMAT, type DatasetManifest, type ManifestItem } from '../../src/engine/data/manifest';
import { encodePng } from '../../src/engine/image/decode';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

// A full GC before each RSS sample takes the collector's timing out of the numbers (exposes gc() at runtime).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const IMAGES = 2000;
const SIDE = 64;
let tmp: string;
let dataset: string;

/**
 * Writes a prepared-set layout directly (sharp + blur_k3 PNGs and a manifest): running the real
 * prepare on 2,000 images would dominate the suite's time; prepare has its own tests.
 */
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'loader-memory-'));
  dataset = path.join(tmp, 'set');
  await fs.mkdir(path.join(dataset, 'sharp', 'train'), { recursive: true });
  await fs.mkdir(path.join(dataset, 'blur_k3', 'train'), { recursive: true });
  const items = await mapConcurrent(
    Array.from({ length: IMAGES }, (_, i) => i),
    8,
    async (i): Promise<ManifestItem> => {
      const data = Buffer.alloc(SIDE * SIDE * 3);
      for (let k = 0; k < data.length; k++) data[k] = (k * 7 + i * 13 + ((k * i) >> 5)) & 0xff;
      // Pairing is tested elsewhere; here both members may share one encoding (half the setup time).
      const png = await encodePng({ data: new Uint8Array(data), width: SIDE, height: SIDE, channels: 3 }, 1);
      const outputs: ManifestItem['outputs'] = {};
      for (const dir of ['sharp', 'blur_k3']) {
        const file = `${dir}/train/${i}.png`;
        await fs.writeFile(path.join(dataset, file), png);
        outputs[dir] = { file, bytes: png.length, sha256: sha256(png) };
      }
      return { id: String(i), split: 'train', group: `seq${i % 20}`, source: { relPath: `seq${i % 20}/${i}.png`, bytes: 0, mtimeMs: 0, width: SIDE, height: SIDE, sha256: sha256(data) }, outputs };
    },
  );
  const manifest: DatasetManifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    complete: true,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    app: { name: 'deblur-studio', version: 'test' },
    sharp: { sharp: 'test', libvips: 'test' },
    source: { path: path.join(tmp, 'src') },
    settings: {
      width: SIDE,
      height: SIDE,
      levels: [3],
      sigmas: { '3': 0.3 },
      fraction: 1,
      seed: 1,
      split: [1, 0, 0],
      limitInputPixels: 1e8,
      resize: 'test',
      blur: 'test',
      png: { compressionLevel: 1 },
    },
    splits: { train: { groups: 20, images: IMAGES }, val: { groups: 0, images: 0 }, test: { groups: 0, images: 0 } },
    items,
    skipped: [],
  };
  await fs.writeFile(path.join(dataset, MANIFEST_FILE), JSON.stringify(manifest));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('pair loader memory', () => {
  it('keeps RSS flat over an epoch of 2,000 images (bounded prefetch, no retained batches)', async () => {
    const loader = await createPairLoader(dataset, { split: 'train', batchSize: 16, flips: true, seed: 4, prefetch: 3 });
    try {
      expect(loader.mode).toBe('worker');
      // Warm-up = the first quarter of the epoch: the heap, the allocator and GC settle there.
      const warmupBatches = IMAGES / 16 / 4;
      let warmupPeak = 0;
      let peak = 0;
      let batches = 0;
      let pairs = 0;
      let checksum = 0;
      for await (const batch of loader.batches()) {
        batches++;
        pairs += batch.shape[0];
        checksum += (batch.sharp[0] as number) + (batch.blurred[batch.blurred.length - 1] as number); // touch the data
        if (batches % 5 !== 0) continue;
        gc();
        const rss = process.memoryUsage().rss;
        if (batches <= warmupBatches) warmupPeak = Math.max(warmupPeak, rss);
        else peak = Math.max(peak, rss);
      }
      expect(pairs).toBe(IMAGES);
      expect(batches).toBe(IMAGES / 16);
      expect(checksum).toBeGreaterThan(0);
      // An epoch moves 2000 × 2 × 64×64×3 floats ≈ 197 MB through the loader; keeping the batches
      // (or unbounded read-ahead) would grow RSS by ~140 MB after warm-up (measured by keeping them).
      const growthMb = (peak - warmupPeak) / 2 ** 20;
      console.log(`loader RSS: peak during warm-up ${(warmupPeak / 2 ** 20).toFixed(1)} MB, peak after ${(peak / 2 ** 20).toFixed(1)} MB, growth ${growthMb.toFixed(1)} MB`);
      expect(growthMb).toBeLessThan(48);
    } finally {
      await loader.close();
    }
  });
});
