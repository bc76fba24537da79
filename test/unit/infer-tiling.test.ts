import { describe, expect, it } from 'vitest';
import { createRawImage, type RawImage } from '../../src/engine/image/raw-image';
import { deblurTiled, gridFor, type TilePredictor } from '../../src/engine/infer/deblur-image';
import { axisWeights, axisWeightSums } from '../../src/engine/infer/feather';
import { reflectIndex } from '../../src/engine/core/reflect-index';
import { readTile } from '../../src/engine/infer/tile-pixels';
import { planAxis, tileAt } from '../../src/engine/infer/tiling';
import { CancelledError } from '../../src/engine/jobs/job-context';

function randomImage(width: number, height: number, seed = 7): RawImage {
  const img = createRawImage(width, height, 3);
  let s = seed;
  for (let i = 0; i < img.data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    img.data[i] = s >>> 24;
  }
  return img;
}

const identity: TilePredictor = async (input) => Float32Array.from(input);

describe('planAxis', () => {
  const cases = [
    { size: 1, tile: 512, overlap: 32, stride: 8 },
    { size: 511, tile: 512, overlap: 32, stride: 8 },
    { size: 515, tile: 512, overlap: 32, stride: 8 },
    { size: 1000, tile: 512, overlap: 32, stride: 8 },
    { size: 4000, tile: 512, overlap: 32, stride: 8 },
    { size: 37, tile: 16, overlap: 6, stride: 4 },
    { size: 1234, tile: 256, overlap: 64, stride: 16 },
  ];
  for (const c of cases) {
    it(`covers ${c.size} px with ${c.tile} px tiles on the stride-${c.stride} grid`, () => {
      const spans = planAxis(c.size, { tile: c.tile, overlap: c.overlap, stride: c.stride, fixed: false });
      expect(spans[0]!.start).toBe(0);
      expect(spans[spans.length - 1]!.start + spans[spans.length - 1]!.length).toBe(c.size);
      for (const [i, s] of spans.entries()) {
        expect(s.start % c.stride).toBe(0);
        expect(s.padded % c.stride).toBe(0);
        expect(s.padded).toBeGreaterThanOrEqual(s.length);
        expect(s.length).toBeLessThan(c.tile + c.stride);
        const next = spans[i + 1];
        if (next) {
          expect(next.start).toBeGreaterThan(s.start);
          // neighbours overlap by at least the requested overlap (no gaps)
          expect(s.start + s.length - next.start).toBeGreaterThanOrEqual(c.overlap);
        }
      }
      if (c.size > c.tile) expect(spans.length).toBe(Math.ceil((Math.floor((c.size - c.tile) / c.stride) * c.stride) / (Math.floor((c.tile - c.overlap) / c.stride) * c.stride)) + 1);
    });
  }

  it('shrinks the tiles to what covers the side, instead of overlapping full tiles more', () => {
    for (const size of [600, 1024, 4000, 6000]) {
      const spans = planAxis(size, { tile: 512, overlap: 32, stride: 8, fixed: false });
      const work = spans.reduce((n, s) => n + s.padded, 0) / size;
      expect(work).toBeLessThan(1.12);
    }
    expect(planAxis(600, { tile: 512, overlap: 32, stride: 8, fixed: false }).map((s) => s.length)).toEqual([328, 328]);
  });

  it('gives fixed-size models tiles of exactly their size, padding small images up to it', () => {
    expect(planAxis(100, { tile: 448, overlap: 32, stride: 1, fixed: true })).toEqual([{ start: 0, length: 100, padded: 448 }]);
    const spans = planAxis(1000, { tile: 448, overlap: 32, stride: 1, fixed: true });
    expect(spans.every((s) => s.length === 448 && s.padded === 448)).toBe(true);
    expect(spans[spans.length - 1]!.start).toBe(1000 - 448);
  });

  it('refuses a tile that is not a multiple of the stride', () => {
    expect(() => planAxis(100, { tile: 30, overlap: 4, stride: 8, fixed: false })).toThrow(/multiple of the stride 8/);
  });
});

describe('feathered weights', () => {
  it('are 1 everywhere for a single tile, and sum to 1 across a two-tile overlap', () => {
    expect([...axisWeights(planAxis(300, { tile: 512, overlap: 32, stride: 8, fixed: false }), 0)].every((w) => w === 1)).toBe(true);
    const spans = planAxis(600, { tile: 512, overlap: 32, stride: 8, fixed: false });
    expect(spans).toHaveLength(2);
    const sums = axisWeightSums(spans, 600);
    for (const v of sums) expect(v).toBeCloseTo(1, 5);
    // the dead zone: a tile has (almost) no say right at its inner edge
    const second = axisWeights(spans, 1);
    expect(second[0]).toBeLessThan(1e-3);
    expect(second[second.length - 1]).toBe(1);
  });

  it('stay positive wherever three tiles overlap', () => {
    const spans = planAxis(1002, { tile: 512, overlap: 32, stride: 8, fixed: false });
    const sums = axisWeightSums(spans, 1002);
    expect(Math.min(...sums)).toBeGreaterThan(0.5);
  });
});

describe('reflect padding', () => {
  it('maps any coordinate into the image by reflect-101, repeating for pads wider than the image', () => {
    expect([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6].map((p) => reflectIndex(p, 4))).toEqual([3, 2, 1, 0, 1, 2, 3, 2, 1, 0]);
    expect([-5, 0, 7].map((p) => reflectIndex(p, 1))).toEqual([0, 0, 0]);
    expect(reflectIndex(13, 3)).toBe(1);
  });

  it('fills a padded tile with reflected image pixels in [0, 1]', () => {
    const img = randomImage(3, 2);
    const tile = tileAt(gridFor(3, 2, { multipleOf: 4 }), 0, 0);
    expect([tile.paddedWidth, tile.paddedHeight]).toEqual([4, 4]);
    const buf = readTile(img, tile);
    // padded column 3 is column 1 (reflect-101 of 3 in a 3-wide image); padded row 2 is row 0
    expect(buf[(0 * 4 + 3) * 3]).toBeCloseTo(img.data[(0 * 3 + 1) * 3]! / 255, 6);
    expect(buf[(2 * 4 + 0) * 3 + 2]).toBeCloseTo(img.data[2]! / 255, 6);
  });
});

describe('deblurTiled', () => {
  const sizes: Array<[number, number]> = [
    [1, 1],
    [7, 5],
    [37, 23],
    [130, 67],
  ];
  for (const [w, h] of sizes) {
    it(`reproduces a ${w}×${h} image exactly through an identity model, tiled`, async () => {
      const img = randomImage(w, h);
      const out = await deblurTiled(identity, img, { multipleOf: 8 }, { tile: 32, overlap: 8 });
      expect(out.width).toBe(w);
      expect(out.height).toBe(h);
      expect(Buffer.from(out.data).equals(Buffer.from(img.data))).toBe(true);
    });
  }

  it('feeds a fixed-size model tiles of its size only', async () => {
    const seen = new Set<string>();
    const fixed: TilePredictor = async (input, width, height) => {
      seen.add(`${width}×${height}`);
      return Float32Array.from(input);
    };
    const img = randomImage(70, 9);
    const out = await deblurTiled(fixed, img, { fixed: { width: 32, height: 16 } }, { overlap: 8 });
    expect([...seen]).toEqual(['32×16']);
    expect(Buffer.from(out.data).equals(Buffer.from(img.data))).toBe(true);
  });

  it('blends a position-dependent model without seams on a constant image', async () => {
    // Each tile brightens by an amount that depends on the tile, as real tile-edge effects do;
    // blending must spread the difference smoothly instead of leaving a step at tile borders.
    let call = 0;
    const biased: TilePredictor = async (input) => {
      const bias = (call++ % 2) * 0.02;
      return input.map((v) => v + bias);
    };
    const img = createRawImage(300, 40, 3);
    img.data.fill(100);
    const out = await deblurTiled(biased, img, { multipleOf: 4 }, { tile: 64, overlap: 32 });
    let maxStep = 0;
    for (let x = 1; x < 300; x++) maxStep = Math.max(maxStep, Math.abs(out.data[x * 3]! - out.data[(x - 1) * 3]!));
    expect(maxStep).toBeLessThanOrEqual(1);
    expect(Math.max(...out.data)).toBeGreaterThan(100); // the bias did reach the output
  });

  it('reports every tile and stops when the callback throws (cancel)', async () => {
    const img = randomImage(100, 100);
    const grid = gridFor(100, 100, { multipleOf: 8 }, { tile: 32, overlap: 8 });
    const calls: Array<[number, number]> = [];
    await deblurTiled(identity, img, { multipleOf: 8 }, { tile: 32, overlap: 8, onTile: (d, t) => void calls.push([d, t]) });
    expect(calls).toHaveLength(grid.count);
    expect(calls[calls.length - 1]).toEqual([grid.count, grid.count]);
    let predicted = 0;
    const counting: TilePredictor = async (input) => {
      predicted++;
      return Float32Array.from(input);
    };
    await expect(
      deblurTiled(counting, img, { multipleOf: 8 }, {
        tile: 32,
        overlap: 8,
        onTile: (done) => {
          if (done === 2) throw new CancelledError();
        },
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(predicted).toBe(2);
  });

  it('rejects a model that returns the wrong number of values', async () => {
    const bad: TilePredictor = async (input) => input.subarray(0, 3);
    await expect(deblurTiled(bad, randomImage(8, 8), { multipleOf: 1 })).rejects.toThrow(/returned 3 values for a 8×8×3 tile/);
  });
});
