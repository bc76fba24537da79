import { beforeAll, describe, expect, it } from 'vitest';
import { gaussianBlurOpenCV } from '../../src/engine/image/gaussian';
import { buildResUNet } from '../../src/engine/models/resunet';
import { selectRuntime } from '../../src/engine/runtime/select';
import { mseLoss } from '../../src/engine/train/losses';
import { meanMse, validate } from '../../src/engine/train/validation';
import { fixturePath, readPngRaw } from '../helpers/fixtures';
import { perturbedResUNet, TINY_RESUNET } from '../integration/infer-support';

beforeAll(async () => {
  await selectRuntime();
});

const noCancel = { throwIfCancelled: () => undefined };

describe("validation's choice between network and Wiener filter (kernel-aware models)", () => {
  it('averages squared errors from PSNRs, an exact image counting 0', () => {
    expect(meanMse([Infinity, Infinity])).toBe(0);
    expect(meanMse([10 * Math.log10(255 * 255), Infinity])).toBeCloseTo(0.5, 12); // MSE 1 and 0
  });

  it('never prefers a network over a filter that is exact on every image (whose mean PSNR is undefined)', async () => {
    const sharp = await readPngRaw(fixturePath('photos', 'dune-crop-97x61.png'), 3);
    const crop = { ...sharp, width: 96, height: 56, data: new Uint8Array(96 * 56 * 3) };
    for (let y = 0; y < 56; y++) crop.data.set(sharp.data.subarray(y * 97 * 3, y * 97 * 3 + 96 * 3), y * 96 * 3);
    const source = { id: 'a', sharp: crop, blurred: new Map([[3, gaussianBlurOpenCV(crop, 3, 0.3)]]), wiener: new Map([[3, crop]]) };
    const model = perturbedResUNet(); // its output differs from its input: worse than the exact filter
    try {
      const r = await validate(model, mseLoss, [source], noCancel);
      const level = r.byLevel[0]!;
      expect(level.wienerPsnr).toBeNull(); // every image exact
      expect(level.networkPsnr).toEqual(expect.any(Number));
      expect(level.refined).toBe(false);
      expect(level.psnr).toBeNull(); // what the user gets: the exact filter
    } finally {
      model.dispose();
    }
    // a network that is the identity on an exact input ties with the filter: the filter is kept
    const identity = buildResUNet(TINY_RESUNET, 'identity');
    try {
      expect((await validate(identity, mseLoss, [source], noCancel)).byLevel[0]!.refined).toBe(false);
    } finally {
      identity.dispose();
    }
  });
});
