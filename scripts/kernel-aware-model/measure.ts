/**
 * Measures the kernel-aware model for its model card, against the alternatives, on held-out mate-backgrounds
 * photos only (never trained on, never used to choose a checkpoint or the gate):
 *   - the blurred input;
 *   - the blind model (the previous built-in);
 *   - the app's Wiener filter told the true kernel (non-blind);
 *   - the Wiener filter with the estimated kernel (blind, no network);
 *   - the kernel-aware model (blind: estimate → Wiener → network where its gate says).
 * Blurs: the course's three levels, σ it never trained on (0.6, 1.3, 2.0, OpenCV's kernel size for each), and
 * 11×11 σ 1.6 on a JPEG-compressed photo (quality 75). Frames: each held-out photo whole at 448×256 plus random
 * crops downscaled ≥2.5× (scripts/lib/mate-frames.ts). Metrics: the app's PSNR/SSIM (test/unit/metrics.test.ts
 * holds them to scikit-image's); `--dump DIR` also writes the whole frames' images for an independent check.
 *
 * Usage: node bin/tsx.mjs scripts/kernel-aware-model/measure.ts <mate root> --model <kernel-aware model> --blind <blind model>
 *          [--crops N] [--out report.json] [--dump DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { opencvKernelSize } from '../../src/engine/blur/estimate';
import { estimatePhotoBlur } from '../../src/engine/blur/photo-estimate';
import { encodePng } from '../../src/engine/image/decode';
import { gaussianBlurOpenCV } from '../../src/engine/image/gaussian';
import type { RawImage } from '../../src/engine/image/raw-image';
import { loadRunnableModel, type RunnableModel } from '../../src/engine/infer/load-model';
import { psnr, ssim } from '../../src/engine/metrics';
import { restorePhoto } from '../../src/engine/restore/restore-photo';
import { wienerInput } from '../../src/engine/restore/wiener-input';
import { isMildBlur, wienerKernelForEstimate, wienerKernelOfLevel } from '../../src/engine/restore/wiener-kernel';
import { selectRuntime } from '../../src/engine/runtime/select';
import { HELDOUT_PHOTOS } from '../default-model/photos';
import { jpeg, loadFrames } from '../lib/mate-frames';
import { flagValue } from '../lib/args';

interface Condition {
  name: string;
  ksize: number;
  sigma: number;
  jpegQuality: number | null;
  /** one of the course's three levels (its estimate is scored) */
  course: boolean;
}

const CONDITIONS: Condition[] = [
  { name: '3×3 σ 0.3', ksize: 3, sigma: 0.3, jpegQuality: null, course: true },
  { name: '7×7 σ 1.0', ksize: 7, sigma: 1.0, jpegQuality: null, course: true },
  { name: '11×11 σ 1.6', ksize: 11, sigma: 1.6, jpegQuality: null, course: true },
  ...[0.6, 1.3, 2.0].map((sigma) => ({ name: `${opencvKernelSize(sigma)}×${opencvKernelSize(sigma)} σ ${sigma.toFixed(1)} (unseen)`, ksize: opencvKernelSize(sigma), sigma, jpegQuality: null, course: false })),
  { name: '11×11 σ 1.6 + JPEG q75', ksize: 11, sigma: 1.6, jpegQuality: 75, course: false },
];
/** PSNR counted for an exact output in the means (ssim is 1 there) */
const PSNR_CAP_DB = 100;
const METHODS = ['input', 'blind', 'wienerTold', 'wienerEstimated', 'kernelAware'] as const;
type Method = (typeof METHODS)[number];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => flagValue(args, name);
  const root = args[0];
  const modelSpec = opt('--model');
  const blindSpec = opt('--blind');
  if (!root || !modelSpec || !blindSpec) throw new Error('usage: measure.ts <mate root> --model <kernel-aware model> --blind <blind model> [--crops N] [--out FILE] [--dump DIR]');
  const crops = Number(opt('--crops') ?? 10);
  const dump = opt('--dump');
  await selectRuntime();
  const kernelAware = await loadRunnableModel(modelSpec);
  const blind = await loadRunnableModel(blindSpec);
  const frames = await loadFrames(root, HELDOUT_PHOTOS, crops, 7);
  const t0 = Date.now();

  type Row = { photo: string; whole: boolean; condition: string; psnr: Record<Method, number>; ssim: Record<Method, number>; estimate: { sigma: number; ksize: number } | null; mild: boolean; refined: boolean | null };
  const rows: Row[] = [];
  for (const [fi, { photo, frame, whole }] of frames.entries()) {
    for (const c of CONDITIONS) {
      let blurred = gaussianBlurOpenCV(frame, c.ksize, c.sigma);
      if (c.jpegQuality !== null) blurred = await jpeg(blurred, c.jpegQuality);
      const compressed = c.jpegQuality !== null;
      const blur = estimatePhotoBlur(blurred, compressed ? 'jpeg' : 'png');
      const told = wienerInput(blurred, wienerKernelOfLevel(c.ksize, c.sigma));
      const outputs: Record<Method, RawImage> = {
        input: blurred,
        blind: (await restorePhoto(blind, blurred, blur)).output,
        wienerTold: told,
        wienerEstimated: blur ? wienerInput(blurred, wienerKernelForEstimate(blur, { compressed })) : blurred,
        kernelAware: blurred,
      };
      const ka = await restorePhoto(kernelAware, blurred, blur, { compressed });
      outputs.kernelAware = ka.output;
      const score = (f: (a: RawImage, b: RawImage) => number) => Object.fromEntries(METHODS.map((m) => [m, f(outputs[m], frame)])) as Record<Method, number>;
      rows.push({ photo, whole, condition: c.name, psnr: score(psnr), ssim: score(ssim), estimate: blur && { sigma: blur.sigma, ksize: blur.level.ksize }, mild: blur !== null && isMildBlur(blur), refined: ka.route.refined });
      if (dump && whole) {
        const dir = path.join(dump, path.basename(photo, path.extname(photo)), c.name.replace(/[^\w.]+/g, '_'));
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, 'sharp.png'), await encodePng(frame));
        for (const m of METHODS) writeFileSync(path.join(dir, `${m}.png`), await encodePng(outputs[m]));
      }
    }
    console.error(`frame ${fi + 1}/${frames.length} (${photo}${whole ? ', whole' : ''}) ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }

  // an output identical to the sharp frame has infinite PSNR: means count it as PSNR_CAP_DB
  const mean = (xs: number[]) => xs.reduce((a, b) => a + Math.min(b, PSNR_CAP_DB), 0) / xs.length;
  const summarize = (subset: Row[]) =>
    CONDITIONS.map((c) => {
      const rs = subset.filter((r) => r.condition === c.name);
      const estimated = rs.filter((r) => r.estimate !== null);
      return {
        condition: c.name,
        frames: rs.length,
        psnr: Object.fromEntries(METHODS.map((m) => [m, mean(rs.map((r) => r.psnr[m]))])),
        ssim: Object.fromEntries(METHODS.map((m) => [m, mean(rs.map((r) => r.ssim[m]))])),
        // kernel-aware at least the Wiener filter told the true kernel, frame by frame
        framesAtLeastWienerTold: rs.filter((r) => r.psnr.kernelAware >= r.psnr.wienerTold - 1e-9).length,
        framesBelowInput: rs.filter((r) => r.psnr.kernelAware < r.psnr.input).length,
        refined: rs.filter((r) => r.refined).length,
        /** undone as a mild blur (wiener-kernel.ts's MildRule) */
        mild: rs.filter((r) => r.mild).length,
        levelCorrect: c.course ? estimated.filter((r) => r.estimate!.ksize === c.ksize).length : null,
        sigmaMedian: estimated.length ? [...estimated.map((r) => r.estimate!.sigma)].sort((a, b) => a - b)[Math.floor(estimated.length / 2)] : null,
      };
    });
  const course = (subset: Row[]) => {
    const rs = subset.filter((r) => CONDITIONS.find((c) => c.name === r.condition)!.course);
    return {
      meanOverLevels: Object.fromEntries(METHODS.map((m) => [m, mean(rs.map((r) => r.psnr[m]))])),
      levelAccuracy: rs.filter((r) => r.estimate && r.estimate.ksize === CONDITIONS.find((c) => c.name === r.condition)!.ksize).length / rs.length,
      estimated: rs.length,
    };
  };
  const report = {
    heldoutPhotos: HELDOUT_PHOTOS,
    cropsPerPhoto: crops,
    models: { kernelAware: kernelAware.source.dir, blind: blind.source.dir, runtime: kernelAware.engine.report.runtime },
    gate: kernelAware.metadata.restoration ?? null,
    whole: { byCondition: summarize(rows.filter((r) => r.whole)), course: course(rows.filter((r) => r.whole)) },
    all: { byCondition: summarize(rows), course: course(rows) },
    perPhoto: rows.filter((r) => r.whole),
    /** every crop's row too, so a frame the card speaks of can be found */
    crops: rows.filter((r) => !r.whole),
    seconds: (Date.now() - t0) / 1000,
  };
  const out = opt('--out');
  if (out) writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify({ whole: report.whole, all: report.all }, null, 1));
  await Promise.all([kernelAware, blind].map((m: RunnableModel) => m.dispose()));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
