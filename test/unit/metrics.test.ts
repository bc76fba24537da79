import { describe, expect, it } from 'vitest';
import { createRawImage, type RawImage } from '../../src/engine/image/raw-image';
import { formatPsnrSummary, meanSquaredError, meanSsim, psnr, psnrY, ssim, summarizePsnr } from '../../src/engine/metrics';
import { fixturePath, readMetricsExpected, readOpencvManifest, readPngRaw } from '../helpers/fixtures';

const PSNR_TOLERANCE_DB = 0.01;
const SSIM_TOLERANCE = 1e-4;

const expectedPairs = await readMetricsExpected();

function filled(width: number, height: number, channels: RawImage['channels'], value: (i: number) => number): RawImage {
  const img = createRawImage(width, height, channels);
  for (let i = 0; i < img.data.length; i++) img.data[i] = value(i);
  return img;
}

/** Deterministic pseudo-random bytes (LCG), so the test needs no seed library. */
function randomImage(width: number, height: number, channels: RawImage['channels'], seed: number): RawImage {
  let s = seed >>> 0;
  return filled(width, height, channels, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  });
}

/** Straightforward SSIM, window by window in the skimage formulation, to check the sliding sums. */
function naiveSsim(a: RawImage, b: RawImage): number {
  const { width, height, channels } = a;
  const np = 49;
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let channelSum = 0;
  for (let c = 0; c < channels; c++) {
    let total = 0;
    for (let top = 0; top + 7 <= height; top++) {
      for (let left = 0; left + 7 <= width; left++) {
        let mx = 0, my = 0, mxx = 0, myy = 0, mxy = 0;
        for (let dy = 0; dy < 7; dy++) {
          for (let dx = 0; dx < 7; dx++) {
            const i = ((top + dy) * width + left + dx) * channels + c;
            const p = a.data[i]!;
            const q = b.data[i]!;
            mx += p / np; my += q / np; mxx += (p * p) / np; myy += (q * q) / np; mxy += (p * q) / np;
          }
        }
        const k = np / (np - 1);
        const vx = k * (mxx - mx * mx);
        const vy = k * (myy - my * my);
        const vxy = k * (mxy - mx * my);
        total += ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      }
    }
    channelSum += total / ((width - 6) * (height - 6));
  }
  return channelSum / channels;
}

describe('metrics against scikit-image references (test/fixtures/metrics/expected.json)', () => {
  it('covers colour, grey and identical pairs', () => {
    expect(expectedPairs.some((p) => p.channels === 1)).toBe(true);
    expect(expectedPairs.some((p) => p.channels === 3 && p.psnrY !== undefined)).toBe(true);
    expect(expectedPairs.some((p) => p.psnr === Infinity)).toBe(true);
  });

  for (const pair of expectedPairs) {
    it(`${pair.name}: PSNR, Y-PSNR and SSIM match skimage`, async () => {
      const a = await readPngRaw(fixturePath(pair.a), pair.channels);
      const b = await readPngRaw(fixturePath(pair.b), pair.channels);
      expect([a.width, a.height]).toEqual([pair.width, pair.height]);

      const p = psnr(a, b);
      if (pair.psnr === Infinity) expect(p).toBe(Infinity);
      else expect(Math.abs(p - pair.psnr)).toBeLessThanOrEqual(PSNR_TOLERANCE_DB);

      if (pair.psnrY !== undefined) {
        const py = psnrY(a, b);
        if (pair.psnrY === Infinity) expect(py).toBe(Infinity);
        else expect(Math.abs(py - pair.psnrY)).toBeLessThanOrEqual(PSNR_TOLERANCE_DB);
      }

      expect(Math.abs(ssim(a, b) - pair.ssim)).toBeLessThanOrEqual(SSIM_TOLERANCE);
    });
  }
});

describe('psnr / psnrY', () => {
  it('is Infinity for identical images and finite otherwise', () => {
    const a = randomImage(9, 8, 3, 1);
    const b = { ...a, data: a.data.slice() };
    expect(psnr(a, b)).toBe(Infinity);
    expect(psnrY(a, b)).toBe(Infinity);
    b.data[5] = b.data[5]! ^ 1;
    expect(Number.isFinite(psnr(a, b))).toBe(true);
  });

  it('uses one MSE over all channels and honours dataRange', () => {
    const a = filled(4, 4, 3, () => 10);
    const b = filled(4, 4, 3, (i) => (i % 3 === 0 ? 12 : 10)); // error 2 in one channel of three
    expect(meanSquaredError(a, b)).toBeCloseTo(4 / 3, 12);
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10((255 * 255) / (4 / 3)), 10);
    expect(psnr(a, b, { dataRange: 2 })).toBeCloseTo(10 * Math.log10(4 / (4 / 3)), 10);
    expect(() => psnr(a, b, { dataRange: 0 })).toThrow(/dataRange must be a positive number/);
  });

  it('weights the Y channel with BT.601 (MATLAB rgb2ycbcr) coefficients', () => {
    const a = filled(2, 2, 3, () => 100);
    const b = filled(2, 2, 3, (i) => (i % 3 === 1 ? 110 : 100)); // green +10 everywhere
    const dy = (128.553 * 10) / 255;
    expect(psnrY(a, b)).toBeCloseTo(10 * Math.log10((255 * 255) / (dy * dy)), 10);
  });

  it('rejects images of different size or channel count, and Y-PSNR of grey images', () => {
    expect(() => psnr(createRawImage(8, 8, 3), createRawImage(8, 7, 3))).toThrow(/differ in shape: 8×8×3 vs 8×7×3/);
    expect(() => psnr(createRawImage(8, 8, 3), createRawImage(8, 8, 1))).toThrow(/differ in shape/);
    expect(() => psnrY(createRawImage(8, 8, 1), createRawImage(8, 8, 1))).toThrow(/needs RGB images/);
    const broken = { ...createRawImage(4, 4, 3), width: 5 };
    expect(() => psnr(broken, broken)).toThrow(/bytes for 5×4×3/);
  });
});

describe('ssim', () => {
  it('matches a window-by-window computation on odd-sized random images with 1, 3 and 4 channels', () => {
    for (const channels of [1, 3, 4] as const) {
      const a = randomImage(23, 17, channels, 7 + channels);
      const b = randomImage(23, 17, channels, 99 + channels);
      // Correlated pair too: b close to a, so the covariance term matters.
      const c = filled(23, 17, channels, (i) => Math.min(255, a.data[i]! + (b.data[i]! >> 4)));
      expect(ssim(a, b)).toBeCloseTo(naiveSsim(a, b), 12);
      expect(ssim(a, c)).toBeCloseTo(naiveSsim(a, c), 12);
      expect(ssim(a, c)).toBeGreaterThan(0.5);
    }
  });

  it('is 1 for identical images, symmetric, and follows the formula for flat images', () => {
    const a = randomImage(12, 9, 3, 3);
    const b = randomImage(12, 9, 3, 4);
    expect(ssim(a, a)).toBe(1);
    expect(ssim(a, b)).toBeCloseTo(ssim(b, a), 14);
    // Flat images: all variances are 0, only the luminance term remains.
    const c1 = (0.01 * 255) ** 2;
    const flat = ssim(filled(7, 7, 1, () => 100), filled(7, 7, 1, () => 110));
    expect(flat).toBeCloseTo((2 * 100 * 110 + c1) / (100 * 100 + 110 * 110 + c1), 14);
  });

  it('rejects images smaller than the 7×7 window and mismatched shapes', () => {
    expect(() => ssim(createRawImage(6, 20, 1), createRawImage(6, 20, 1))).toThrow(/at least 7×7 pixels, got 6×20/);
    expect(() => ssim(createRawImage(8, 8, 3), createRawImage(9, 8, 3))).toThrow(/SSIM: images differ in shape/);
  });
});

describe('aggregate', () => {
  it('averages finite PSNR values and counts identical pairs separately', () => {
    const s = summarizePsnr([30, Infinity, 34]);
    expect(s).toEqual({ meanDb: 32, finite: 2, identical: 1, total: 3 });
    expect(formatPsnrSummary(s)).toBe('32.00 dB over 2 images, 1 identical left out');
    expect(formatPsnrSummary(summarizePsnr([31.234]), 1)).toBe('31.2 dB over 1 image');
  });

  it('has no PSNR mean when all pairs are identical or there are none', () => {
    const all = summarizePsnr([Infinity, Infinity]);
    expect(all).toEqual({ meanDb: null, finite: 0, identical: 2, total: 2 });
    expect(formatPsnrSummary(all)).toBe('all 2 images identical');
    expect(formatPsnrSummary(summarizePsnr([]))).toBe('no images');
  });

  it('rejects NaN and -Infinity instead of averaging them', () => {
    expect(() => summarizePsnr([30, NaN])).toThrow(/invalid value NaN/);
    expect(() => summarizePsnr([-Infinity])).toThrow(/invalid value -Infinity/);
    expect(() => meanSsim([0.9, NaN])).toThrow(/invalid value NaN/);
  });

  it('takes a plain mean of SSIM', () => {
    expect(meanSsim([0.5, 1, 0.75])).toBeCloseTo(0.75, 15);
    expect(meanSsim([])).toBeNull();
  });
});

describe('fixture reader', () => {
  it('keeps grey PNGs at 1 channel and RGB PNGs at 3, in RGB order', async () => {
    // First pixels as cv2.imread (BGR, reversed here) reads them.
    const rgb = await readPngRaw(fixturePath('photos', 'dune-crop-97x61.png'), 3);
    expect([rgb.width, rgb.height, rgb.channels]).toEqual([97, 61, 3]);
    expect([...rgb.data.subarray(0, 6)]).toEqual([155, 185, 217, 155, 185, 217]);
    const grey = await readPngRaw(fixturePath('metrics', 'dune-crop-97x61.grey.png'), 1);
    expect([grey.width, grey.height, grey.channels, grey.data.length]).toEqual([97, 61, 1, 97 * 61]);
    expect([...grey.data.subarray(0, 6)]).toEqual([180, 180, 179, 179, 181, 180]);
    await expect(readPngRaw(fixturePath('metrics', 'dune-crop-97x61.grey.png'), 3)).rejects.toThrow(/1 channels, expected 3/);
  });

  it('lists OpenCV references whose files exist with the sizes their operation implies', async () => {
    const entries = await readOpencvManifest();
    expect(entries.filter((e) => e.op === 'resize')).toHaveLength(2);
    expect(entries.filter((e) => e.op === 'gaussianBlur')).toHaveLength(3 * 5);
    for (const e of entries) {
      const input = await readPngRaw(fixturePath(e.input), 3);
      const output = await readPngRaw(fixturePath(e.output), 3);
      const size = e.op === 'resize' ? [e.width, e.height] : [input.width, input.height];
      expect([output.width, output.height], e.output).toEqual(size);
    }
  });
});
