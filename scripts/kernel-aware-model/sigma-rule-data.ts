/**
 * Data for choosing how an estimated σ becomes the Wiener kernel (wiener-kernel.ts), on the blur estimator's and
 * the model's *training* photos only (never the held-out ones): each photo whole and as random crops, blurred with
 * OpenCV at σ on and between the course's levels; per frame and σ, the estimate (σ̂, level, its posterior) and the
 * PSNR of the blurred input and of the Wiener filter for a grid of σ it could be told (each with OpenCV's kernel size
 * and the interpolated K), plus the three course levels' exact kernels (L3, L7, L11) and the filter for the regressed σ
 * itself (E). One JSON line per frame and σ.
 *
 * Usage: node bin/tsx.mjs scripts/kernel-aware-model/sigma-rule-data.ts <mate root> --out FILE [--crops N] [--part i/n]
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { estimateBlur, opencvKernelSize } from '../../src/engine/blur/estimate';
import { gaussianBlurOpenCV } from '../../src/engine/image/gaussian';
import { psnr } from '../../src/engine/metrics';
import { wienerInput } from '../../src/engine/restore/wiener-input';
import { wienerKForSigma, wienerKernelForSigma, wienerKernelOfLevel } from '../../src/engine/restore/wiener-kernel';
import { TRAIN_PHOTOS } from '../default-model/photos';
import { loadFrames } from '../lib/mate-frames';
import { flagValue } from '../lib/args';

const TRUE_SIGMAS = [0.3, 0.45, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0];
const TOLD_SIGMAS = [0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9];
const LEVELS = [
  [3, 0.3],
  [7, 1.0],
  [11, 1.6],
] as const;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => flagValue(args, name);
  const root = args[0];
  const out = opt('--out');
  if (!root || !out) throw new Error('usage: sigma-rule-data.ts <mate root> --out FILE [--crops N] [--part i/n]');
  const [part, parts] = (opt('--part') ?? '0/1').split('/').map(Number) as [number, number];
  const photos = TRAIN_PHOTOS.filter((_, i) => i % parts === part);
  const frames = await loadFrames(root, photos, Number(opt('--crops') ?? 3), 11 + part);
  writeFileSync(out, '');
  for (const [fi, { photo, frame, whole }] of frames.entries()) {
    for (const sigma of TRUE_SIGMAS) {
      const blurred = gaussianBlurOpenCV(frame, opencvKernelSize(sigma), sigma);
      const e = estimateBlur(blurred, { maxTiles: 24 });
      const told: Record<string, number> = {};
      for (const s of TOLD_SIGMAS) told[String(s)] = psnr(frame, wienerInput(blurred, { ksize: opencvKernelSize(s), sigma: s, k: wienerKForSigma(s) }));
      for (const [ksize, s] of LEVELS) told[`L${ksize}`] = psnr(frame, wienerInput(blurred, wienerKernelOfLevel(ksize, s)));
      // the filter for the regressed σ itself (OpenCV's size, interpolated K): what a frame not snapped to a level gets
      told.E = psnr(frame, wienerInput(blurred, wienerKernelForSigma(e.sigma)));
      const line = { photo, frame: fi, whole, sigma, input: psnr(frame, blurred), estimate: { sigma: e.sigma, level: e.level.ksize, confidence: e.level.confidence, levels: e.levels.map((l) => l.p), mildBlur: e.mildBlur }, told };
      appendFileSync(out, `${JSON.stringify(line)}\n`);
    }
    console.log(`${fi + 1}/${frames.length} ${photo}${whole ? '' : ' (crop)'}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
