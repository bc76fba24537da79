/**
 * The gate an imported kernel-aware checkpoint gets: from the last validation of its history, as the app's
 * training writes it (RestorationGateCallback), or none at all (the app then uses the Wiener filter alone).
 */
import { describe, expect, it } from 'vitest';
import { gateFromHistory } from '../../src/engine/import/pytorch/restoration-gate';

const level = (kernel: number, networkPsnr: number | null, wienerPsnr: number | null, refined: boolean) => ({
  kernel,
  psnr: refined ? networkPsnr : wienerPsnr,
  ssim: null,
  identityPsnr: 20,
  identitySsim: null,
  networkPsnr,
  wienerPsnr,
  refined,
});
const validation = (step: number, byLevel: ReturnType<typeof level>[]) =>
  JSON.stringify({ event: 'train.validation', payload: { jobId: 'torchrun-local', run: 'r', step, loss: 0.01, psnr: 30, ssim: null, identityPsnr: 20, byLevel } });
const step = (n: number) => JSON.stringify({ event: 'train.step', payload: { jobId: 'j', run: 'r', step: n, epoch: 1, loss: 0.1, smoothedLoss: 0.1, lr: 1e-3, samplesPerSecond: 1, etaSeconds: null } });
const sigmas = { '3': 0.3, '7': 1.0, '11': 1.6 };

describe('gateFromHistory', () => {
  it('is undefined for a history without validation (no gate: Wiener only)', () => {
    expect(gateFromHistory('', sigmas)).toBeUndefined();
    expect(gateFromHistory([step(1), step(2)].join('\n'), sigmas)).toBeUndefined();
  });

  it('takes the last validation, with each level σ, as the app stores it', () => {
    const history = [step(1), validation(2, [level(7, 30, 31, false), level(11, 29, 28, true)]), step(3), validation(4, [level(7, 32, 31, true), level(11, 27, 28, false)]), step(5)].join('\n');
    expect(gateFromHistory(history, sigmas)).toEqual({
      kind: 'kernel-aware',
      step: 4,
      levels: [
        { ksize: 7, sigma: 1.0, refined: true, networkPsnr: 32, wienerPsnr: 31 },
        { ksize: 11, sigma: 1.6, refined: false, networkPsnr: 27, wienerPsnr: 28 },
      ],
    });
  });

  it('leaves out a level without a known σ, keeps null PSNRs, and skips lines that are not validations of the contract', () => {
    const history = [validation(6, [level(3, 49, null, true), level(5, 30, 29, true)]), '{"event":"train.validation","payload":{"step":9}}', '{torn'].join('\n');
    expect(gateFromHistory(history, sigmas)).toEqual({ kind: 'kernel-aware', step: 6, levels: [{ ksize: 3, sigma: 0.3, refined: true, networkPsnr: 49, wienerPsnr: null }] });
  });
});
