import { describe, expect, it } from 'vitest';
import { gaussianBlurOpenCV, gaussianKernel } from '../../src/engine/image/gaussian';
import { createRawImage } from '../../src/engine/image/raw-image';
import { fft1d, fft2d } from '../../src/engine/evaluate/fft';
import { kernelResponse, wienerDeblurGaussian, wienerDeconvolve } from '../../src/engine/evaluate/wiener';
import { WIENER_K, wienerSettingsFor } from '../../src/engine/evaluate/wiener-constants';
import { tuneWienerK } from '../../src/engine/evaluate/wiener-tuning';
import { psnr } from '../../src/engine/metrics';
import { fixturePath, readPngRaw } from '../helpers/fixtures';

function naiveDft(re: number[], im: number[]): { re: number[]; im: number[] } {
  const n = re.length;
  const out = { re: new Array<number>(n).fill(0), im: new Array<number>(n).fill(0) };
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * j * k) / n;
      out.re[k] += re[j]! * Math.cos(a) - im[j]! * Math.sin(a);
      out.im[k] += re[j]! * Math.sin(a) + im[j]! * Math.cos(a);
    }
  }
  return out;
}

describe('fft', () => {
  it('matches a direct DFT and inverts exactly', () => {
    for (const n of [1, 2, 8, 64]) {
      const re = Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) + (i % 3));
      const im = Array.from({ length: n }, (_, i) => Math.cos(i * 0.3) - 0.5);
      const fr = Float64Array.from(re);
      const fi = Float64Array.from(im);
      fft1d(fr, fi, n);
      const ref = naiveDft(re, im);
      for (let k = 0; k < n; k++) {
        expect(fr[k]).toBeCloseTo(ref.re[k]!, 9);
        expect(fi[k]).toBeCloseTo(ref.im[k]!, 9);
      }
      fft1d(fr, fi, n, true);
      for (let k = 0; k < n; k++) expect(fr[k]).toBeCloseTo(re[k]!, 12);
    }
  });

  it('transforms planes in 2-D (rows then columns) and refuses other lengths', () => {
    const w = 8;
    const h = 4;
    const re = Float64Array.from({ length: w * h }, (_, i) => (i * 7) % 5);
    const im = new Float64Array(w * h);
    const copy = Float64Array.from(re);
    fft2d(re, im, w, h);
    let sum = 0;
    for (const v of copy) sum += v;
    expect(re[0]).toBeCloseTo(sum, 9); // DC term = sum of all samples
    fft2d(re, im, w, h, true);
    for (let i = 0; i < w * h; i++) expect(re[i]).toBeCloseTo(copy[i]!, 12);
    expect(() => fft1d(new Float64Array(6), new Float64Array(6), 6)).toThrow(/power of two/);
  });
});

describe('Wiener deconvolution', () => {
  it("has the Gaussian kernel's transfer function (1 at DC, real)", () => {
    const h = kernelResponse(gaussianKernel(11, 1.6), 64);
    expect(h[0]).toBeCloseTo(1, 12);
    expect(h[32]!).toBeLessThan(0.01);
    expect(h[1]).toBeCloseTo(h[63]!, 12);
  });

  it('improves PSNR over the blurred input at σ 1.6 (cv2.GaussianBlur reference blur)', async () => {
    const sharp = await readPngRaw(fixturePath('photos', 'raindrops-crop-120x80.png'), 3);
    const blurred = await readPngRaw(fixturePath('opencv', 'raindrops-crop-120x80.gauss-k11-s1.6.png'), 3);
    const restored = wienerDeblurGaussian(blurred, 11, 1.6, WIENER_K[11]);
    const identity = psnr(blurred, sharp);
    const wiener = psnr(restored, sharp);
    expect(wiener).toBeGreaterThan(identity + 3);
  });

  it('gives the same result block by block as in one block (overlap–save)', async () => {
    const sharp = await readPngRaw(fixturePath('photos', 'ladybird-crop-128x96.png'), 3);
    const blurred = gaussianBlurOpenCV(sharp, 7, 1.0);
    const kernel = gaussianKernel(7, 1.0);
    const one = wienerDeconvolve(blurred, kernel, WIENER_K[7], { block: 256, margin: 32 });
    const blocks = wienerDeconvolve(blurred, kernel, WIENER_K[7], { block: 64, margin: 16 });
    let max = 0;
    for (let i = 0; i < one.data.length; i++) max = Math.max(max, Math.abs(one.data[i]! - blocks.data[i]!));
    expect(max).toBeLessThanOrEqual(2);
  });

  it('keeps a constant image and handles grey and 1×1 images', () => {
    const flat = createRawImage(33, 17, 3);
    flat.data.fill(77);
    expect(new Set(wienerDeblurGaussian(flat, 11, 1.6, WIENER_K[11]).data)).toEqual(new Set([77]));
    const grey = createRawImage(5, 4, 1);
    grey.data.fill(200);
    expect(wienerDeblurGaussian(grey, 7, 1.0, WIENER_K[7]).data.every((v) => v === 200)).toBe(true);
    const dot = createRawImage(1, 1, 3);
    dot.data.set([1, 2, 3]);
    expect([...wienerDeblurGaussian(dot, 3, 0.3, WIENER_K[3]).data]).toEqual([1, 2, 3]);
  });

  it('knows K for the three levels of the course only', () => {
    expect(wienerSettingsFor(11)).toEqual({ ksize: 11, sigma: 1.6, k: WIENER_K[11] });
    expect(wienerSettingsFor(5)).toBeNull();
    expect(wienerSettingsFor(null)).toBeNull();
  });

  it('tunes K by mean PSNR over photo pairs (the documented constants come from this)', async () => {
    const sharp = await readPngRaw(fixturePath('opencv', 'dune-640x360.resize-448x256.png'), 3);
    const blurred = await readPngRaw(fixturePath('opencv', 'dune-640x360.resize-448x256.gauss-k11-s1.6.png'), 3);
    const result = tuneWienerK([{ sharp, blurred }], 11, 1.6, [1e-5, WIENER_K[11], 1e-1]);
    expect(result.scores).toHaveLength(3);
    // on a photo outside the tuning set, the documented K still beats both extremes
    expect(result.best).toBe(WIENER_K[11]);
  });
});
