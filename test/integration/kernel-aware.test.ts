/**
 * The kernel-aware model (wiener-resunet) end to end, for real on tiny images: the loader feeds it Wiener
 * outputs of each level's true kernel, validation scores network and filter per level, the gate stored in
 * the checkpoint says where the network is used, and deblur routes a photo by its estimated blur.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deblurParams, deblurResult, events, readModelMetadataOf, trainParams, type EventPayload } from '../../src/shared/contract';
import { createPairLoader } from '../../src/engine/data/loader';
import { readCompleteManifest } from '../../src/engine/data/manifest';
import { cropFlipToFloat } from '../../src/engine/data/pair-batch';
import { decodeToRgb } from '../../src/engine/image/decode';
import { gaussianBlurOpenCV } from '../../src/engine/image/gaussian';
import { runDeblur } from '../../src/engine/infer/run-deblur';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { readModelMetadata } from '../../src/engine/models/io';
import { wienerInput } from '../../src/engine/restore/wiener-input';
import { wienerKernelOfLevel } from '../../src/engine/restore/wiener-kernel';
import { runTraining } from '../../src/engine/train/trainer';
import { fixturePath, readPngRaw } from '../helpers/fixtures';
import { writePng } from './infer-support';
import { eventsOf, makeTileDataset } from './train-helpers';

let dir: string;
let tiles: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kernel-aware-'));
  tiles = await makeTileDataset(dir, { count: 24, levels: [3, 11] });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the kernel-aware model', () => {
  it("is fed each pair's whole-frame Wiener output, cropped and flipped like its sharp member", async () => {
    const manifest = await readCompleteManifest(tiles);
    const kernels = Object.fromEntries(manifest.settings.levels.map((k) => [String(k), wienerKernelOfLevel(k, manifest.settings.sigmas[String(k)]!)]));
    const loader = await createPairLoader(tiles, { split: 'train', batchSize: 4, patchSize: 32, flips: true, seed: 5, input: { kind: 'wiener', kernels }, useWorker: true });
    try {
      const batch = (await loader.batches().next()).value!;
      const plans = loader.plan(0)[0]!;
      const per = 32 * 32 * 3;
      for (const [i, p] of plans.entries()) {
        const frame = await decodeToRgb(path.join(tiles, p.blurFile));
        const expected = new Float32Array(per);
        cropFlipToFloat(wienerInput(frame, kernels[String(p.level)]!), p.x, p.y, 32, 32, p.flipH, p.flipV, expected, 0);
        expect(batch.blurred.subarray(i * per, (i + 1) * per)).toEqual(expected);
      }
    } finally {
      await loader.close();
    }
  });

  it('trains, validates network against filter per level, stores the gate, and deblur follows it', async () => {
    const ctx = createTestContext();
    const runsDir = path.join(dir, 'runs');
    const params = trainParams.parse({ dataset: tiles, runsDir, run: 'ka', model: 'wiener-resunet', preset: 'small', epochs: 1, stepsPerEpoch: 30, validateEvery: 15, batch: 4, patch: 32, lr: 1e-3, loss: 'mse' });
    const result = await runTraining(params, ctx);
    expect(result.stopped).toBe('finished');
    for (const e of ctx.events) events[e.event as keyof typeof events].parse(e.payload);

    const vals = eventsOf<EventPayload<'train.validation'>>(ctx, 'train.validation');
    expect(vals.map((v) => v.step)).toEqual([15, 30]);
    for (const v of vals) {
      for (const l of v.byLevel) {
        // what the level reports is what the user gets: the network where it beat the filter, else the filter
        // by mean squared error (train/validation.ts); a filter exact on every image (null) is never beaten
        const [net, filter] = [l.networkPsnr ?? null, l.wienerPsnr ?? null];
        if (filter === null) expect(l.refined).toBe(false);
        else if (net !== null && Math.abs(net - filter) > 3) expect(l.refined).toBe(net > filter);
        expect(l.psnr).toBe(l.refined ? l.networkPsnr : l.wienerPsnr);
      }
      // the filter told the true kernel undoes real σ 1.6 blur on real texture
      const k11 = v.byLevel.find((l) => l.kernel === 11)!;
      expect(k11.wienerPsnr!).toBeGreaterThan(k11.identityPsnr! + 1);
    }

    const last = vals[1]!;
    const meta = readModelMetadataOf(await readModelMetadata(path.join(runsDir, 'ka', 'checkpoints', 'last')));
    expect(meta.model).toBe('wiener-resunet');
    expect(meta.restoration).toEqual({
      kind: 'kernel-aware',
      step: 30,
      levels: last.byLevel.map((l) => ({ ksize: l.kernel, sigma: l.kernel === 3 ? 0.3 : 1.6, refined: l.refined, networkPsnr: l.networkPsnr, wienerPsnr: l.wienerPsnr })),
    });

    // A photo large enough for the blur estimator, blurred at σ 1.6: deblur estimates it and routes it by the gate.
    const photos = path.join(dir, 'photos');
    await mkdir(photos, { recursive: true });
    const blurred = gaussianBlurOpenCV(await readPngRaw(fixturePath('photos', 'dune-640x360.png'), 3), 11, 1.6);
    await writePng(path.join(photos, 'dune.png'), blurred);
    const out = path.join(dir, 'out');
    const r = deblurResult.parse(await runDeblur(deblurParams.parse({ inputs: [photos], model: path.join(runsDir, 'ka'), outDir: out }), createTestContext()));
    const o = r.outputs[0]!;
    expect(o.blur?.level.ksize).toBe(11);
    const refinedAt11 = last.byLevel.find((l) => l.kernel === 11)!.refined;
    expect(o.route).toEqual({ kind: 'kernel-aware', kernel: { ksize: 11, sigma: 1.6 }, refined: refinedAt11 });
    const filtered = wienerInput(blurred, wienerKernelOfLevel(11, 1.6));
    const written = await decodeToRgb(o.output);
    if (!refinedAt11) expect(Buffer.from(written.data).equals(Buffer.from(filtered.data))).toBe(true);
    else expect(Buffer.from(written.data).equals(Buffer.from(filtered.data))).toBe(false);
    expect((await readFile(o.output)).length).toBeGreaterThan(0);
  });
});
