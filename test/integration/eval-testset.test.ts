import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateParams, evaluateResult } from '../../src/shared/contract';
import { parseEval } from '../../src/engine/evaluate/eval-schema';
import { runEvaluate } from '../../src/engine/evaluate/run-evaluate';
import { wienerDeblurGaussian } from '../../src/engine/evaluate/wiener';
import { WIENER_K } from '../../src/engine/evaluate/wiener-constants';
import { gaussianBlurOpenCV } from '../../src/engine/image/gaussian';
import { deblurTiled } from '../../src/engine/infer/deblur-image';
import { loadRunnableModel } from '../../src/engine/infer/load-model';
import { deblurImage } from '../../src/engine/infer/model-predictor';
import { estimatePhotoBlur } from '../../src/engine/blur/photo-estimate';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { psnr, ssim, summarizePsnr } from '../../src/engine/metrics';
import { selectRuntime } from '../../src/engine/runtime/select';
import { fixturePath, readPngRaw } from '../helpers/fixtures';
import { saveTinyModel, writePng } from './infer-support';

const CROPS = ['dune-crop-97x61', 'ladybird-crop-128x96', 'raindrops-crop-120x80'];
let root: string;
let model: string;

beforeAll(async () => {
  await selectRuntime();
  root = await mkdtemp(path.join(os.tmpdir(), 'deblur-eval-'));
  model = await saveTinyModel(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('runEvaluate', () => {
  it('scores a course-layout test set, listing unmatched and unreadable files', async () => {
    const set = path.join(root, 'course');
    for (const name of CROPS) {
      const sharp = await readPngRaw(fixturePath('photos', `${name}.png`), 3);
      await writePng(path.join(set, 'sharp', `${name}.png`), sharp);
      await writePng(path.join(set, 'blur', `${name}.png`), gaussianBlurOpenCV(sharp, 7, 1.0));
    }
    // bad and unmatched files
    const pngBytes = await readFile(fixturePath('photos', 'dune-crop-97x61.png'));
    await writePng(path.join(set, 'sharp', 'only-sharp.png'), await readPngRaw(fixturePath('photos', 'dune-crop-97x61.png'), 3));
    await writeFile(path.join(set, 'sharp', 'empty.png'), '');
    await writeFile(path.join(set, 'blur', 'empty.png'), '');
    await writeFile(path.join(set, 'sharp', 'text.png'), pngBytes);
    await writeFile(path.join(set, 'blur', 'text.png'), 'not an image at all');
    await writeFile(path.join(set, 'sharp', 'cut.png'), pngBytes);
    await writeFile(path.join(set, 'blur', 'cut.png'), pngBytes.subarray(0, pngBytes.length - 200));
    await writePng(path.join(set, 'sharp', 'size.png'), await readPngRaw(fixturePath('photos', 'dune-crop-97x61.png'), 3));
    await writePng(path.join(set, 'blur', 'size.png'), await readPngRaw(fixturePath('photos', 'raindrops-crop-120x80.png'), 3));

    const out = path.join(root, 'reports', 'course.json');
    const ctx = createTestContext();
    const result = await runEvaluate(evaluateParams.parse({ testSet: set, model, out }), ctx);
    expect(result.images).toBe(3);
    expect(evaluateResult.parse(result)).toEqual(result);
    const file = parseEval(await readFile(out, 'utf8'));
    expect(file.meta.testSet.layout).toBe('course');
    expect(file.images.map((r) => r.name)).toEqual(CROPS);

    // every number can be recomputed from the images and the model, on the runtime the evaluation chose
    // (ONNX Runtime where it loads: its float sums differ from TF.js's in the last bits, and by CPU)
    const runnable = await loadRunnableModel(model);
    try {
      for (const row of file.images) {
        const sharp = await readPngRaw(row.sharp, 3);
        const blurred = await readPngRaw(row.blurred, 3);
        expect(row.identity.psnr).toBe(psnr(blurred, sharp));
        expect(row.identity.ssim).toBe(ssim(blurred, sharp));
        const output = await deblurTiled(runnable.predict, blurred, runnable.shape);
        expect(row.model.psnr).toBe(psnr(output, sharp));
        // and TF.js, the trainer's runtime, agrees to well within a display digit
        expect(row.model.psnr).toBeCloseTo(psnr(await deblurImage(runnable.model, blurred), sharp), 3);
        expect(row.wiener).toBeNull(); // the course layout does not say which blur was used
      }
    } finally {
      await runnable.dispose();
    }
    const level = file.summary.levels[0]!;
    expect(level.model.psnr).toEqual(summarizePsnr(file.images.map((r) => r.model.psnr)));
    expect(level.gainOverIdentityDb).toBeCloseTo(file.images.reduce((s, r) => s + r.model.psnr - r.identity.psnr, 0) / 3, 10);
    expect(file.summary.overall.images).toBe(3);
    expect(file.summary.blurEstimation).toBeNull(); // the course layout does not say which level each photo has

    const reasons = Object.fromEntries(file.skipped.map((s) => [path.relative(set, s.path), s.reason]));
    expect(reasons['sharp/only-sharp.png']).toMatch(/no blur\/ image named only-sharp/);
    expect(reasons['blur/empty.png']).toMatch(/its sharp image .*empty\.png cannot be read \(empty/);
    expect(reasons['blur/text.png']).toMatch(/^not-an-image/);
    expect(reasons['blur/cut.png']).toMatch(/^truncated/);
    expect(reasons['blur/size.png']).toMatch(/^size-mismatch: 120×80, its sharp image is 97×61/);
    expect(result.skipped).toEqual(file.skipped);

    expect(file.examples.length).toBeGreaterThan(0);
    for (const e of file.examples) expect(e.model).toMatch(/^data:image\/png;base64,/);
  });

  it('adds the Wiener baseline where the level is known, and it beats the blurred input at σ 1.6', async () => {
    const set = path.join(root, 'levels');
    for (const name of CROPS) {
      const sharp = await readPngRaw(fixturePath('photos', `${name}.png`), 3);
      await writePng(path.join(set, 'sharp', `${name}.png`), sharp);
      await writePng(path.join(set, 'blur_k11', `${name}.png`), gaussianBlurOpenCV(sharp, 11, 1.6));
    }
    const out = path.join(root, 'levels.json');
    await runEvaluate(evaluateParams.parse({ testSet: set, model, out }), createTestContext());
    const file = parseEval(await readFile(out, 'utf8'));
    expect(file.meta.testSet.layout).toBe('levels');
    for (const row of file.images) {
      expect(row.kernel).toBe(11);
      const blurred = await readPngRaw(row.blurred, 3);
      const sharp = await readPngRaw(row.sharp, 3);
      expect(row.wiener!.psnr).toBe(psnr(wienerDeblurGaussian(blurred, 11, 1.6, WIENER_K[11]), sharp));
      expect(row.wiener!.psnr).toBeGreaterThan(row.identity.psnr);
    }
    const s = file.summary.levels[0]!;
    expect(s.wiener!.psnr.meanDb).toBeGreaterThan(s.identity.psnr.meanDb!);
    expect(s.gainOverWienerDb).toBeCloseTo(s.model.psnr.meanDb! - s.wiener!.psnr.meanDb!, 10);
  });

  it('estimates each blurred image\'s level and tables it against the true level', async () => {
    const set = path.join(root, 'levels-blur');
    // two frames of the course's size (448×256, the course's own blurred files) and a crop too small to estimate
    for (const name of ['dune-640x360.resize-448x256', 'ladybird-300x170.resize-448x256']) {
      await writePng(path.join(set, 'sharp', `${name}.png`), await readPngRaw(fixturePath('opencv', `${name}.png`), 3));
      for (const [k, s] of [[3, '0.3'], [7, '1.0'], [11, '1.6']] as const) {
        await writePng(path.join(set, `blur_k${k}`, `${name}.png`), await readPngRaw(fixturePath('opencv', `${name}.gauss-k${k}-s${s}.png`), 3));
      }
    }
    const crop = await readPngRaw(fixturePath('photos', 'dune-crop-97x61.png'), 3);
    await writePng(path.join(set, 'sharp', 'small.png'), crop);
    await writePng(path.join(set, 'blur_k7', 'small.png'), gaussianBlurOpenCV(crop, 7, 1.0));

    const out = path.join(root, 'levels-blur.json');
    const result = await runEvaluate(evaluateParams.parse({ testSet: set, model, out }), createTestContext());
    const file = parseEval(await readFile(out, 'utf8'));
    expect(result.images).toBe(7);
    for (const row of file.images) {
      // the estimate is the one a deblur of the blurred file would report
      expect(row.blur).toEqual(estimatePhotoBlur(await readPngRaw(row.blurred, 3), 'png'));
      expect(row.blur === null).toBe(row.name === 'small');
    }
    const b = file.summary.blurEstimation!;
    const rowSums = b.confusion.map((r) => r.reduce((x, y) => x + y, 0));
    expect(rowSums).toEqual([2, 2, 2]);
    expect(b.total).toBe(6);
    expect(b.notEstimated).toBe(1);
    expect(b.total + b.notEstimated).toBe(result.images);
    const diagonal = b.confusion.reduce((n, r, i) => n + r[i]!, 0);
    expect(b.correct).toBe(diagonal);
    expect(b.accuracy).toBe(b.correct / 6);
    // the estimator's card: every whole held-out photo's level is read right, Dune and LadyBird included
    expect(b.correct).toBe(6);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runEvaluate(evaluateParams.parse({ testSet: path.join(root, 'levels'), model, out: path.join(root, 'x.json') }), createTestContext(controller.signal))).rejects.toThrow(/cancelled/);
  });
});
