/**
 * Fits the shipped blur estimator (resources/models/blur-estimator/estimator.json) on Debian's mate-backgrounds
 * training photos only, then measures it on the held-out photos: the confusion table over the course's three
 * levels, σ estimates for σ it never saw (0.6, 1.3, 2.0), σ 1.6 on JPEG-compressed photos, and how often the
 * mild-blur detector fires per applied σ.
 *
 * Frames are made as the app makes them: the photo (or a crop of it downscaled to a width of 672–2240 px,
 * aspect kept) resized to 448×256 with the app's OpenCV-exact INTER_LINEAR, then blurred with the app's
 * OpenCV-exact GaussianBlur.
 *
 * Usage: node bin/tsx.mjs scripts/blur-estimator/fit.ts <mate-backgrounds root> [--out estimator.json] [--report report.json]
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { estimatorFile, type EstimatorFile } from '../../src/engine/blur/estimator-file';
import { COURSE_LEVELS, estimateFromFeatures, MILD_LABEL, mildBlurLogOdds, opencvKernelSize, pickFeatures } from '../../src/engine/blur/estimate';
import { fitQda, qdaLogOdds } from '../../src/engine/blur/qda';
import { BINS, imageFeatures, TILE } from '../../src/engine/blur/spectrum-features';
import { gaussianBlurOpenCV } from '../../src/engine/image/gaussian';
import { HELDOUT_PHOTOS, TRAIN_PHOTOS } from '../default-model/photos';
import { createRng } from '../../src/engine/core/random';
import { jpeg, loadFrames, MIN_DOWNSCALE } from '../lib/mate-frames';
import { flagValue } from '../lib/args';

/** the σ grid of the continuous estimator: unseen test σ (0.6, 1.3, 2.0) deliberately not on it */
const SIGMA_GRID = [0.3, 0.45, 0.8, 1.0, 1.15, 1.6, 1.8, 2.3];
/** share of the σ-grid samples that are JPEG-compressed (quality 60–95), so compressed photos are read right */
const JPEG_SHARE = 0.5;
const HELD_CROPS = 40;
/**
 * The mild-blur detector's "mildly blurred" class: σ either side of 0.6, which stays unseen. Its threshold: the
 * highest log odds a σ 0.3 training frame gets from a detector fitted without that frame's photo, plus this margin.
 */
const MILD_SIGMAS = [0.55, 0.7];
const MILD_MARGIN = 0.5;
/**
 * The bands the mild-blur detector reads: the 8 highest (0.14–0.5 cycles/px), absolute and relative, where a mild
 * blur acts; the lower bands mostly say what the photo shows. Chosen on the training photos only, by
 * scripts/blur-estimator/mild_features.py (leave one photo out: 27.3 % of σ 0.55 frames detected at the threshold
 * rule below, against 13.3 % reading all 48 features).
 */
const MILD_BANDS = 8;
const MILD_FEATURES = [...Array.from({ length: MILD_BANDS }, (_, i) => BINS - MILD_BANDS + i), ...Array.from({ length: MILD_BANDS }, (_, i) => 2 * BINS - MILD_BANDS + i)];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const root = args[0];
  if (!root) throw new Error('usage: fit.ts <mate-backgrounds root (…/usr/share/backgrounds/mate)> [--out FILE] [--report FILE]');
  const opt = (name: string) => flagValue(args, name);
  const outFile = opt('--out') ?? 'resources/models/blur-estimator/estimator.json';
  const reportFile = opt('--report');
  const perPhoto = Number(opt('--crops') ?? 40);

  const t0 = Date.now();
  const train = await loadFrames(root, TRAIN_PHOTOS, perPhoto, 1);
  const levelX: Float64Array[] = [];
  const levelY: number[] = [];
  const sigmaX: Float64Array[] = [];
  const sigmaY: number[] = [];
  const mildX: Float64Array[] = [];
  const mildY: number[] = [];
  const mildPhoto: string[] = [];
  const mildWhole: boolean[] = [];
  const augment = createRng(3);
  for (const { photo, frame, whole } of train) {
    for (const lv of COURSE_LEVELS) {
      const f = imageFeatures(gaussianBlurOpenCV(frame, lv.ksize, lv.sigma));
      levelX.push(f);
      levelY.push(lv.ksize);
      if (lv === COURSE_LEVELS[0]) {
        mildX.push(pickFeatures(f, MILD_FEATURES));
        mildY.push(MILD_LABEL.sharp);
        mildPhoto.push(photo);
        mildWhole.push(whole);
      }
    }
    for (const s of MILD_SIGMAS) {
      mildX.push(pickFeatures(imageFeatures(gaussianBlurOpenCV(frame, opencvKernelSize(s), s)), MILD_FEATURES));
      mildY.push(MILD_LABEL.blurred);
      mildPhoto.push(photo);
      mildWhole.push(whole);
    }
    for (const s of SIGMA_GRID) {
      let b = gaussianBlurOpenCV(frame, opencvKernelSize(s), s);
      if (augment.next() < JPEG_SHARE) b = await jpeg(b, Math.round(60 + augment.next() * 35));
      sigmaX.push(imageFeatures(b));
      sigmaY.push(s);
    }
  }
  // leave one photo out: how high a nearly sharp frame of a photo the detector never saw can score
  let outOfPhotoMax = -Infinity;
  let thresholdSetBy = '';
  for (const photo of TRAIN_PHOTOS) {
    const keep = mildPhoto.map((p) => p !== photo);
    const held = fitQda(mildX.filter((_, i) => keep[i]), mildY.filter((_, i) => keep[i]));
    mildX.forEach((x, i) => {
      if (keep[i] || mildY[i] !== MILD_LABEL.sharp) return;
      const odds = qdaLogOdds(held, x, MILD_LABEL.blurred, MILD_LABEL.sharp);
      if (odds > outOfPhotoMax) [outOfPhotoMax, thresholdSetBy] = [odds, `${photo}, ${mildWhole[i] ? 'whole' : 'a crop'}`];
    });
  }
  const model: EstimatorFile = estimatorFile.parse({
    format: 'deblur-studio/blur-estimator@1',
    features: { tile: TILE, bins: BINS },
    levels: fitQda(levelX, levelY),
    sigma: fitQda(sigmaX, sigmaY),
    mild: { qda: fitQda(mildX, mildY), threshold: outOfPhotoMax + MILD_MARGIN, features: MILD_FEATURES },
    trainedOn: {
      photos: TRAIN_PHOTOS.map((p) => `mate-backgrounds/${p}`),
      samples: train.length,
      note: `each photo whole and as ${perPhoto} random crops downscaled ≥${MIN_DOWNSCALE}× to 448×256 (OpenCV INTER_LINEAR), blurred with OpenCV GaussianBlur at the course's three kernels (levels) and at σ ${SIGMA_GRID.join(', ')} (σ grid, ${JPEG_SHARE * 100} % of them then JPEG-compressed at quality 60–95), and at σ 0.3 (3×3) against σ ${MILD_SIGMAS.join(', ')} (mild-blur detector, lossless, on the ${MILD_BANDS} highest bands absolute and relative; threshold: highest leave-one-photo-out log odds of a σ 0.3 frame, ${outOfPhotoMax.toFixed(2)}, + ${MILD_MARGIN}); fitted by scripts/blur-estimator/fit.ts`,
    },
  });
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(`${outFile}.tmp`, `${JSON.stringify(model)}\n`);
  renameSync(`${outFile}.tmp`, outFile);
  console.log(`fitted on ${train.length} frames × ${COURSE_LEVELS.length + SIGMA_GRID.length + MILD_SIGMAS.length} blurs in ${((Date.now() - t0) / 1000).toFixed(1)} s → ${outFile}`);

  // held out: never used above
  const held = await loadFrames(root, HELDOUT_PHOTOS, HELD_CROPS, 2);
  const confusion = COURSE_LEVELS.map(() => COURSE_LEVELS.map(() => 0));
  const wholeConfusion = COURSE_LEVELS.map(() => COURSE_LEVELS.map(() => 0));
  const sigmaRows: Array<{ sigma: number; jpeg: number | null; n: number; median: number; p10: number; p90: number; levelOk: number | null }> = [];
  // the held-out frames at HELD_CROPS crops a photo, whatever --crops the fit used, so reports compare
  held.forEach(({ frame }, i) => {
    COURSE_LEVELS.forEach((lv, t) => {
      const e = estimateFromFeatures(model, imageFeatures(gaussianBlurOpenCV(frame, lv.ksize, lv.sigma)));
      const p = COURSE_LEVELS.findIndex((l) => l.ksize === e.level.ksize);
      confusion[t]![p]! += 1;
      if (i % (HELD_CROPS + 1) === 0) wholeConfusion[t]![p]! += 1;
    });
  });
  const quant = (v: number[], q: number) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))]!;
  for (const [sigma, quality] of [[0.3, null], [0.6, null], [1.0, null], [1.3, null], [1.6, null], [2.0, null], [1.6, 90], [1.6, 75]] as Array<[number, number | null]>) {
    const est: number[] = [];
    let ok = 0;
    for (const { frame } of held) {
      let b = gaussianBlurOpenCV(frame, opencvKernelSize(sigma), sigma);
      if (quality !== null) b = await jpeg(b, quality);
      const e = estimateFromFeatures(model, imageFeatures(b), { compressed: quality !== null });
      est.push(e.sigma);
      if (e.level.sigma === sigma) ok += 1;
    }
    const isLevel = COURSE_LEVELS.some((l) => l.sigma === sigma);
    sigmaRows.push({ sigma, jpeg: quality, n: est.length, median: quant(est, 0.5), p10: quant(est, 0.1), p90: quant(est, 0.9), levelOk: isLevel ? ok / est.length : null });
  }
  // the mild-blur detector on held-out frames: how often it fires (and the level is 3×3) per applied σ
  const mildRows: Array<{ sigma: number; n: number; nearlySharpLevel: number; detected: number; logOdds: { median: number; max: number } }> = [];
  // σ 0: the frame as it is, a sharp photo that must be left alone too
  for (const sigma of [0, 0.3, 0.45, 0.6, 0.8, 1.0]) {
    const odds: number[] = [];
    let nearlySharpLevel = 0;
    let detected = 0;
    for (const { frame } of held) {
      const f = imageFeatures(sigma === 0 ? frame : gaussianBlurOpenCV(frame, opencvKernelSize(sigma), sigma));
      const e = estimateFromFeatures(model, f);
      odds.push(mildBlurLogOdds(model, f));
      if (e.level.ksize === COURSE_LEVELS[0]!.ksize) nearlySharpLevel += 1;
      if (e.mildBlur) detected += 1;
    }
    mildRows.push({ sigma, n: odds.length, nearlySharpLevel, detected, logOdds: { median: quant(odds, 0.5), max: Math.max(...odds) } });
  }
  const total = confusion.flat().reduce((a, b) => a + b, 0);
  const correct = confusion.reduce((s, row, i) => s + row[i]!, 0);
  const report = { heldoutPhotos: HELDOUT_PHOTOS, frames: held.length, accuracy: correct / total, confusion, wholePhotoConfusion: wholeConfusion, sigma: sigmaRows, mildBlur: { threshold: model.mild!.threshold, thresholdSetBy, rows: mildRows } };
  console.log(JSON.stringify(report, null, 1));
  if (reportFile) writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
