import { describe, expect, it, vi } from 'vitest';
import { readModelMetadataOf, type BlurEstimate, type ModelMetadata } from '../../src/shared/contract';
import { WIENER_K } from '../../src/engine/evaluate/wiener-constants';
import { opencvKernelSize } from '../../src/engine/blur/estimate';
import { gaussianBlurOpenCV } from '../../src/engine/image/gaussian';
import type { RawImage } from '../../src/engine/image/raw-image';
import { refinesAt, restorePhoto } from '../../src/engine/restore/restore-photo';
import { wienerInput } from '../../src/engine/restore/wiener-input';
import { compressedKFactor, LEVEL_SNAP_RATIO, isMildBlur, MILD_RULE, wienerKernelForEstimate, wienerKernelForSigma, wienerKernelOfLevel, wienerKForSigma } from '../../src/engine/restore/wiener-kernel';
import { RestorationGateCallback } from '../../src/engine/train/callbacks/restoration-gate';
import { describeRoute } from '../../src/shared/blur-text';
import { fixturePath, readPngRaw } from '../helpers/fixtures';

const estimate = (sigma: number, ksize: 3 | 7 | 11, levelSigma: number, mildBlur = false): BlurEstimate => ({ sigma, level: { ksize, sigma: levelSigma, confidence: 0.9 }, mildBlur });

describe('the Wiener kernel of a known or estimated blur', () => {
  it('uses the tuned K at the course levels and interpolates log K between them, clamped beyond', () => {
    expect(wienerKForSigma(0.3)).toBe(WIENER_K[3]);
    expect(wienerKForSigma(1.0)).toBe(WIENER_K[7]);
    expect(wienerKForSigma(1.6)).toBe(WIENER_K[11]);
    const mid = wienerKForSigma(0.65); // halfway in σ between 0.3 and 1.0: the geometric mean of their K
    expect(mid / Math.sqrt(WIENER_K[3] * WIENER_K[7])).toBeCloseTo(1, 10);
    expect(wienerKForSigma(0.1)).toBe(WIENER_K[3]);
    expect(wienerKForSigma(3)).toBe(WIENER_K[11]);
    expect(() => wienerKForSigma(0)).toThrow(/positive/);
  });

  it("takes a course level's exact kernel for a prepared level, and interpolated K for another σ", () => {
    expect(wienerKernelOfLevel(11, 1.6)).toEqual({ ksize: 11, sigma: 1.6, k: WIENER_K[11] });
    expect(wienerKernelOfLevel(9, 1.3)).toEqual({ ksize: 9, sigma: 1.3, k: wienerKForSigma(1.3) });
  });

  it('snaps an estimate near a course level to that level, and uses the regressed σ with OpenCV\'s size further off', () => {
    expect(wienerKernelForEstimate(estimate(1.7, 11, 1.6))).toEqual({ ksize: 11, sigma: 1.6, k: WIENER_K[11] });
    expect(wienerKernelForEstimate(estimate(1.6 * LEVEL_SNAP_RATIO * 1.01, 11, 1.6))).toMatchObject({ ksize: 13, sigma: 1.6 * LEVEL_SNAP_RATIO * 1.01 });
    expect(wienerKernelForEstimate(estimate(2.04, 11, 1.6))).toMatchObject({ ksize: 13, sigma: 2.04 });
    // a lossy photo's compression noise: K raised 3× to σ 1.0, 10× from σ 1.6, log-linear between
    expect(compressedKFactor(0.3)).toBeCloseTo(3, 12);
    expect(compressedKFactor(1.6)).toBeCloseTo(10, 12);
    expect(compressedKFactor(1.3)).toBeCloseTo(Math.sqrt(30), 12);
    expect(wienerKernelForEstimate(estimate(1.7, 11, 1.6), { compressed: true }).k).toBeCloseTo(WIENER_K[11] * 10, 12);
    // the nearly sharp level is taken at its word even when the regressed σ reads high
    expect(wienerKernelForEstimate(estimate(0.55, 3, 0.3))).toEqual({ ksize: 3, sigma: 0.3, k: WIENER_K[3] });
    expect(wienerKernelForEstimate(estimate(1.09, 3, 0.3))).toEqual({ ksize: 3, sigma: 0.3, k: WIENER_K[3] });
  });

  it('undoes a mild blur as one gentle σ: the middle level read well below 1.0, or the nearly sharp one on the detector’s word', () => {
    const { below, sigma } = MILD_RULE;
    const mild = { ksize: opencvKernelSize(sigma), sigma, k: wienerKForSigma(sigma) };
    // within the snapping ratio of 1.0 (0.85), yet below `below`: the regressor over-reads mild blurs
    expect(wienerKernelForEstimate(estimate(0.85, 7, 1.0))).toEqual(mild);
    expect(wienerKernelForEstimate(estimate(0.76, 7, 1.0))).toEqual(mild);
    expect(wienerKernelForEstimate(estimate(below, 7, 1.0))).toEqual({ ksize: 7, sigma: 1.0, k: WIENER_K[7] });
    // the nearly sharp level only on the mild-blur detector's word, whatever σ the regressor reads
    expect(wienerKernelForEstimate(estimate(0.6, 3, 0.3, true))).toEqual(mild);
    expect(wienerKernelForEstimate(estimate(0.4, 3, 0.3, true))).toEqual(mild);
    expect(isMildBlur(estimate(0.6, 3, 0.3))).toBe(false);
    // a lossy photo's mild kernel gets the raised K too
    expect(wienerKernelForEstimate(estimate(0.76, 7, 1.0), { compressed: true }).k).toBeCloseTo(mild.k * compressedKFactor(sigma), 12);
  });
});

const gateLevels = (refined: Record<number, boolean>) =>
  Object.entries({ 3: 0.3, 7: 1.0, 11: 1.6 }).map(([k, sigma]) => ({ ksize: Number(k), sigma, refined: refined[Number(k)] ?? false, networkPsnr: 40, wienerPsnr: 39 }));

describe('the gate: where the network refines the filter', () => {
  it("answers a validated level's own flag, and the nearest level in log σ for another blur; never without levels", () => {
    const levels = gateLevels({ 3: false, 7: true, 11: true });
    expect(refinesAt(levels, { ksize: 3, sigma: 0.3 })).toBe(false);
    expect(refinesAt(levels, { ksize: 11, sigma: 1.6 })).toBe(true);
    expect(refinesAt(levels, { ksize: 5, sigma: 0.6 })).toBe(true); // nearer 1.0 than 0.3 in log σ
    expect(refinesAt(levels, { ksize: 3, sigma: 0.5 })).toBe(false); // nearer 0.3
    expect(refinesAt(levels, { ksize: 13, sigma: 2.0 })).toBe(true);
    expect(refinesAt([], { ksize: 11, sigma: 1.6 })).toBe(false);
  });

  it("is written from a validation's levels into the metadata the next checkpoint saves, and reads back through the contract", () => {
    const metadata = { model: 'wiener-resunet', restoration: { kind: 'kernel-aware' as const, levels: [], step: null } };
    const gate = new RestorationGateCallback(metadata, { 3: 0.3, 11: 1.6 });
    const level = (kernel: number, networkPsnr: number, wienerPsnr: number) => ({ kernel, psnr: Math.max(networkPsnr, wienerPsnr), ssim: 1, identityPsnr: 30, identitySsim: 1, networkPsnr, wienerPsnr, refined: networkPsnr > wienerPsnr });
    gate.onValidation({ step: 40, improved: true, seconds: 1, result: { loss: 0, psnr: 50, ssim: 1, identityPsnr: 40, example: null, byLevel: [level(3, 60, 80), level(11, 33, 32)] } });
    const read = readModelMetadataOf(JSON.parse(JSON.stringify(metadata)));
    expect(read.restoration).toEqual({
      kind: 'kernel-aware',
      step: 40,
      levels: [
        { ksize: 3, sigma: 0.3, refined: false, networkPsnr: 60, wienerPsnr: 80 },
        { ksize: 11, sigma: 1.6, refined: true, networkPsnr: 33, wienerPsnr: 32 },
      ],
    });
  });
});

describe('restorePhoto', () => {
  const shape = { multipleOf: 8 };
  /** a network that adds 1/255 everywhere, counting its calls */
  const plusOne = () => vi.fn(async (input: Float32Array) => input.map((v) => v + 1 / 255));
  const kernelAware = (refined: Record<number, boolean>): ModelMetadata => readModelMetadataOf({ model: 'wiener-resunet', restoration: { kind: 'kernel-aware', levels: gateLevels(refined), step: 10 } });
  let photo: RawImage;
  const blurred = async () => {
    photo ??= gaussianBlurOpenCV(await readPngRaw(fixturePath('photos', 'ladybird-crop-128x96.png'), 3), 11, 1.6);
    return photo;
  };

  it('runs a blind model on the photo as it is', async () => {
    const predict = plusOne();
    const img = await blurred();
    const r = await restorePhoto({ predict, shape, metadata: readModelMetadataOf({ model: 'resunet' }) }, img, estimate(1.6, 11, 1.6));
    expect(r.route).toEqual({ kind: 'blind', kernel: null, refined: true });
    expect(predict).toHaveBeenCalled();
    expect(r.output.data[0]).toBe(Math.min(255, img.data[0]! + 1));
  });

  it('keeps the Wiener output at a level the gate does not refine, without running the network', async () => {
    const predict = plusOne();
    const img = await blurred();
    const r = await restorePhoto({ predict, shape, metadata: kernelAware({ 11: false }) }, img, estimate(1.62, 11, 1.6));
    expect(predict).not.toHaveBeenCalled();
    expect(r.route).toEqual({ kind: 'kernel-aware', kernel: { ksize: 11, sigma: 1.6 }, refined: false });
    expect(Buffer.from(r.output.data).equals(Buffer.from(wienerInput(img, wienerKernelOfLevel(11, 1.6)).data))).toBe(true);
    expect(describeRoute(r.route)).toMatch(/Wiener filter \(11×11 σ 1\.60\) only/);
  });

  it('runs the network on the Wiener output where the gate refines', async () => {
    const predict = plusOne();
    const img = await blurred();
    const r = await restorePhoto({ predict, shape, metadata: kernelAware({ 11: true }) }, img, estimate(1.55, 11, 1.6));
    expect(predict).toHaveBeenCalled();
    expect(r.route.refined).toBe(true);
    const filtered = wienerInput(img, wienerKernelOfLevel(11, 1.6));
    const i = filtered.data.findIndex((v) => v < 250);
    expect(r.output.data[i]).toBe(filtered.data[i]! + 1);
    expect(describeRoute(r.route)).toMatch(/refined by the network/);
  });

  it('treats a kernel-aware zoo model without a stored gate (made elsewhere) as validated nowhere: Wiener only', async () => {
    const predict = plusOne();
    const img = await blurred();
    const r = await restorePhoto({ predict, shape, metadata: readModelMetadataOf({ model: 'wiener-resunet', preset: 'small' }) }, img, estimate(1.6, 11, 1.6));
    expect(predict).not.toHaveBeenCalled();
    expect(r.route).toEqual({ kind: 'kernel-aware', kernel: { ksize: 11, sigma: 1.6 }, refined: false });
  });

  it('returns a photo whose blur cannot be estimated as it is', async () => {
    const predict = plusOne();
    const img = await blurred();
    const r = await restorePhoto({ predict, shape, metadata: kernelAware({ 11: true }) }, img, null);
    expect(r.output).toBe(img);
    expect(predict).not.toHaveBeenCalled();
    expect(r.route).toEqual({ kind: 'kernel-aware', kernel: null, refined: false });
  });

  it('undoes the blur the user gives instead of the estimate, even where none could be made', async () => {
    const predict = plusOne();
    const img = await blurred();
    const told = wienerKernelForSigma(1.6);
    expect(told).toEqual(wienerKernelOfLevel(11, 1.6)); // a course level's σ: its exact kernel and tuned K
    for (const blur of [estimate(0.4, 3, 0.3), null]) {
      const r = await restorePhoto({ predict, shape, metadata: kernelAware({ 11: false }) }, img, blur, { kernel: told });
      expect(r.route).toEqual({ kind: 'kernel-aware', kernel: { ksize: 11, sigma: 1.6 }, refined: false });
      expect(Buffer.from(r.output.data).equals(Buffer.from(wienerInput(img, told).data))).toBe(true);
    }
    // another σ: OpenCV's kernel size for it, the interpolated K; a lossy photo's K raised as for an estimate
    expect(wienerKernelForSigma(0.6)).toEqual({ ksize: 5, sigma: 0.6, k: wienerKForSigma(0.6) });
    expect(wienerKernelForSigma(0.6, { compressed: true }).k).toBeCloseTo(wienerKForSigma(0.6) * compressedKFactor(0.6), 12);
  });
});

describe('describeRouteCounts', () => {
  it('counts per level the images the network refined, and says nothing for a blind model', async () => {
    const { describeRouteCounts } = await import('../../src/shared/blur-text');
    const k11 = { kind: 'kernel-aware' as const, kernel: { ksize: 11, sigma: 1.6 }, refined: true };
    const k3 = { kind: 'kernel-aware' as const, kernel: { ksize: 3, sigma: 0.3 }, refined: false };
    const small = { kind: 'kernel-aware' as const, kernel: null, refined: false };
    expect(describeRouteCounts([{ level: 'blur_k11', route: k11 }, { level: 'blur_k11', route: k11 }, { level: 'blur_k3', route: k3 }, { level: 'blur_k3', route: small }])).toBe(
      'kernel-aware model: images the network refined after the Wiener filter, per level: blur_k11 2/2, blur_k3 0/2 (the others: the Wiener filter alone; 1 left as they are (smaller than 256×256, blur not estimated))',
    );
    expect(describeRouteCounts([{ level: 'x', route: { kind: 'blind', kernel: null, refined: true } }, { level: 'y' }])).toBeNull();
  });
});
