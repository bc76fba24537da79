import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrainingInfo, thin } from '../../src/engine/evaluate/training-info';

let run: string;
beforeAll(async () => {
  run = await mkdtemp(path.join(os.tmpdir(), 'deblur-run-'));
});
afterAll(async () => {
  await rm(run, { recursive: true, force: true });
});

describe('readTrainingInfo', () => {
  it("reads a run's config and its loss and validation curves, skipping damaged lines", async () => {
    await writeFile(path.join(run, 'config.json'), JSON.stringify({ params: { model: 'resunet', epochs: 2 } }));
    const lines = [
      { event: 'train.step', payload: { step: 1, loss: 0.5, smoothedLoss: 0.4 } },
      { event: 'train.step', payload: { step: 2, loss: 0.3 } },
      { event: 'train.validation', payload: { step: 2, psnr: 29.5, identityPsnr: 27, ssim: 0.9, loss: 0.2 } },
      { event: 'train.checkpoint', payload: { step: 2, kind: 'best' } },
    ].map((l) => JSON.stringify(l));
    await writeFile(path.join(run, 'history.jsonl'), `${lines.join('\n')}\n{"event": "train.st`);
    const info = await readTrainingInfo(run);
    expect(info).toEqual({
      config: { params: { model: 'resunet', epochs: 2 } },
      steps: [
        { step: 1, loss: 0.4 },
        { step: 2, loss: 0.3 },
      ],
      validation: [{ step: 2, psnr: 29.5, identityPsnr: 27, ssim: 0.9 }],
    });
  });

  it('gives null for a folder without a run', async () => {
    expect(await readTrainingInfo(path.join(run, 'nothing'))).toBeNull();
  });

  it('thins long curves to at most the limit, keeping the last point', () => {
    for (const n of [101, 200, 1001, 5000]) {
      const t = thin(Array.from({ length: n }, (_, i) => i), 100);
      expect(t.length).toBeLessThanOrEqual(100);
      expect(t.length).toBeGreaterThan(50);
      expect(t[0]).toBe(0);
      expect(t[t.length - 1]).toBe(n - 1);
    }
    expect(thin([1, 2, 3], 100)).toEqual([1, 2, 3]);
  });
});
