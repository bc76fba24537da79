import { describe, expect, it } from 'vitest';
import { gaussianBlurOpenCV, gaussianKernelFixedPoint } from '../../src/engine/image/gaussian';
import type { RawImage } from '../../src/engine/image/raw-image';
import { resizeLinearOpenCV } from '../../src/engine/image/resize';
import { fixturePath, readOpencvManifest, readPngRaw } from '../helpers/fixtures';

/** Largest per-sample difference and how many samples differ at all. */
function compare(a: RawImage, b: RawImage): { maxDiff: number; differing: number } {
  expect([a.width, a.height, a.channels]).toEqual([b.width, b.height, b.channels]);
  let maxDiff = 0;
  let differing = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs((a.data[i] as number) - (b.data[i] as number));
    if (d > 0) differing++;
    if (d > maxDiff) maxDiff = d;
  }
  return { maxDiff, differing };
}

const references = await readOpencvManifest();
const resizes = references.filter((r) => r.op === 'resize');
const blurs = references.filter((r) => r.op === 'gaussianBlur');

describe('OpenCV-exact resize (cv2.resize INTER_LINEAR)', () => {
  it('has both resize sources (downscale and upscale) in the fixtures', () => {
    expect(resizes.map((r) => r.input).sort()).toEqual(['photos/dune-640x360.png', 'photos/ladybird-300x170.png']);
  });

  for (const ref of resizes) {
    if (ref.op !== 'resize') continue;
    it(`${ref.input} → ${ref.width}×${ref.height} is within 1 grey level of OpenCV on every pixel`, async () => {
      const src = await readPngRaw(fixturePath(ref.input), 3);
      const expected = await readPngRaw(fixturePath(ref.output), 3);
      const { maxDiff, differing } = compare(resizeLinearOpenCV(src, ref.width, ref.height), expected);
      expect(maxDiff).toBeLessThanOrEqual(1);
      // The fixed-point arithmetic is reproduced exactly, so in practice nothing differs.
      expect(differing).toBe(0);
    });
  }
});

describe('OpenCV-exact Gaussian blur (cv2.GaussianBlur, BORDER_REFLECT_101)', () => {
  it('covers the three levels on odd and even crops and on the resized images', () => {
    const inputs = new Set(blurs.map((b) => b.input));
    expect(inputs).toContain('photos/dune-crop-97x61.png');
    expect(inputs).toContain('photos/ladybird-crop-128x96.png');
    expect([...inputs].filter((i) => i.includes('resize-448x256')).length).toBe(2);
    expect(new Set(blurs.map((b) => (b.op === 'gaussianBlur' ? `${b.ksize}/${b.sigma}` : '')))).toEqual(new Set(['3/0.3', '7/1', '11/1.6']));
  });

  for (const ref of blurs) {
    if (ref.op !== 'gaussianBlur') continue;
    it(`${ref.input} k=${ref.ksize} σ=${ref.sigma} is within 1 grey level of OpenCV on every pixel, borders included`, async () => {
      const src = await readPngRaw(fixturePath(ref.input), 3);
      const expected = await readPngRaw(fixturePath(ref.output), 3);
      const { maxDiff, differing } = compare(gaussianBlurOpenCV(src, ref.ksize, ref.sigma), expected);
      expect(maxDiff).toBeLessThanOrEqual(1);
      expect(differing).toBe(0);
    });
  }

  it('uses fixed-point taps that sum to 256 like OpenCV (3×3 σ 0.3 is almost the identity)', () => {
    expect([...gaussianKernelFixedPoint(3, 0.3)]).toEqual([1, 254, 1]);
    for (const [k, s] of [[7, 1.0], [11, 1.6]] as const) {
      const taps = [...gaussianKernelFixedPoint(k, s)];
      expect(taps.reduce((a, b) => a + b, 0)).toBe(256);
      expect(taps).toEqual([...taps].reverse());
    }
  });
});
