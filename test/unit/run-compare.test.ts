import { describe, expect, it } from 'vitest';
import type { RunHistoryEntry } from '../../src/shared/contract';
import { compareSeries } from '../../src/renderer/src/lib/run-compare';

const step = (s: number, smoothedLoss: number) =>
  ({ event: 'train.step', payload: { jobId: 'j', run: 'r', step: s, epoch: 1, loss: smoothedLoss, smoothedLoss, lr: 1e-3, samplesPerSecond: 1, etaSeconds: null } }) as unknown as RunHistoryEntry;
const validation = (s: number, psnr: number) =>
  ({ event: 'train.validation', payload: { jobId: 'j', run: 'r', step: s, loss: 0.01, psnr, ssim: null, identityPsnr: 20, byLevel: [] } }) as unknown as RunHistoryEntry;

describe('overlaid run curves', () => {
  it('give each run one loss and one PSNR line, named after it, in its own colour', () => {
    const { loss, psnr } = compareSeries([
      { name: 'a', entries: [step(1, 0.5), step(2, 0.4), validation(2, 25)] },
      { name: 'b', entries: [step(1, 0.6), validation(1, 22), validation(2, 23)] },
    ]);
    expect(loss.map((s) => [s.label, s.points.length])).toEqual([['a', 2], ['b', 1]]);
    expect(psnr.map((s) => [s.label, s.points.map((p) => p.y)])).toEqual([['a', [25]], ['b', [22, 23]]]);
    expect(new Set(psnr.map((s) => s.color)).size).toBe(2);
  });

  it('tell a fifth run from the first by a dashed line once the colours repeat', () => {
    const { psnr } = compareSeries(['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, entries: [] })));
    expect(psnr[4]!.color).toBe(psnr[0]!.color);
    expect([psnr[0]!.dashed, psnr[4]!.dashed]).toEqual([false, true]);
  });
});
