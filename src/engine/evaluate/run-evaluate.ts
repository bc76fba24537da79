import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { JobParams, JobResult } from '../../shared/contract';
import { appVersion } from '../../shared/app-version';
import { estimatePhotoBlur, isLossyFormat } from '../blur/photo-estimate';
import { writeFileAtomic } from '../fs/atomic';
import { assertWritableOutputFile } from '../fs/output-check';
import { decodeToRgb, DecodeError } from '../image/decode';
import type { RawImage } from '../image/raw-image';
import { DEFAULT_OVERLAP, DEFAULT_TILE, type TilePredictor } from '../infer/deblur-image';
import { restorePhoto } from '../restore/restore-photo';
import { loadRunnableModel, type InferenceModel } from '../infer/load-model';
import { modelPredictor } from '../infer/model-predictor';
import { describeInferChoice } from '../infer/ort-runtime';
import { CancelledError, type JobContext } from '../jobs/job-context';
import { psnr, ssim } from '../metrics';
import { selectRuntime } from '../runtime/select';
import { describeArchitecture } from './architecture';
import { cropImage, mostBlurredWindow, pngDataUrl, type CropRect } from './crops';
import { EVAL_FORMAT, EVAL_VERSION, serializeEval, type EvalFile, type Example, type ImageRow, type Score } from './eval-schema';
import { imageGain, summarizeEvaluation } from './summarize';
import { discoverTestSet, type TestPair, type TestSet } from './test-set';
import { readTrainingInfo } from './training-info';
import { DEFAULT_WIENER_BLOCK, DEFAULT_WIENER_MARGIN, wienerDeblurGaussian } from './wiener';
import { WIENER_K } from './wiener-constants';

/** Best and worst images (by PSNR gain over the blurred input) shown as crops in the report. */
export const EXAMPLES_PER_KIND = 3;
/** SSIM's 7×7 window needs images at least this large. */
const SSIM_MIN_SIDE = 7;

/**
 * The `evaluate` job: runs the model on every blurred image of a test set and scores it against the
 * sharp original, next to two baselines on the same images: identity (the blurred input as is) and
 * Wiener deconvolution with the level's known Gaussian. Writes the eval JSON (eval-schema.ts).
 */
export async function runEvaluate(params: JobParams<'evaluate'>, ctx: JobContext): Promise<JobResult<'evaluate'>> {
  await assertWritableOutputFile(params.out, { overwrite: params.overwrite, field: 'out', what: 'the evaluation file' });
  const runtime = await selectRuntime();
  const testSet = await discoverTestSet(params.testSet);
  const loaded = await loadRunnableModel(params.model);
  ctx.log('info', `evaluating ${loaded.model.name} on ${testSet.pairs.length} pairs (${testSet.layout} layout) with ${runtime.backend}`);
  ctx.log('info', describeInferChoice(loaded.engine.report));
  for (const note of loaded.engine.notes) ctx.log('info', note);
  try {
    const file = await evaluateTestSet(loaded, testSet, ctx, runtime.backend, loaded.predict);
    await fs.mkdir(path.dirname(params.out), { recursive: true });
    await writeFileAtomic(params.out, serializeEval(file));
    return { out: params.out, images: file.images.length, skipped: file.skipped };
  } finally {
    await loaded.dispose();
  }
}

function score(output: RawImage, sharp: RawImage): Score {
  const small = sharp.width < SSIM_MIN_SIDE || sharp.height < SSIM_MIN_SIDE;
  return { psnr: psnr(output, sharp), ssim: small ? null : ssim(output, sharp) };
}

/** The last sharp image decoded (or why it could not be): pairs of one image at several levels share it. */
class LastDecoded {
  private file: string | null = null;
  private image: Promise<RawImage | DecodeError> | null = null;
  get(file: string): Promise<RawImage | DecodeError> {
    if (this.file !== file || !this.image) {
      this.file = file;
      this.image = decodeToRgb(file).catch((err: unknown) => (err instanceof DecodeError ? err : Promise.reject(err)));
    }
    return this.image;
  }
}

interface Candidate {
  row: ImageRow;
  gain: number;
  crop: CropRect;
  crops: { blurred: RawImage; model: RawImage; wiener: RawImage | null; sharp: RawImage };
}

/** Keeps the `size` candidates with the highest (or lowest) gain seen so far. */
class Extremes {
  readonly items: Candidate[] = [];
  constructor(
    private readonly size: number,
    private readonly better: (a: number, b: number) => boolean,
  ) {}
  wants(gain: number): boolean {
    return this.items.length < this.size || this.better(gain, this.items[this.items.length - 1]!.gain);
  }
  add(c: Candidate): void {
    this.items.push(c);
    this.items.sort((a, b) => (this.better(a.gain, b.gain) ? -1 : this.better(b.gain, a.gain) ? 1 : 0));
    this.items.length = Math.min(this.items.length, this.size);
  }
}

export async function evaluateTestSet(loaded: InferenceModel, testSet: TestSet, ctx: JobContext, backend: string, predict: TilePredictor = modelPredictor(loaded.model)): Promise<EvalFile> {
  const t0 = performance.now();
  const skipped = [...testSet.unmatched];
  const rows: ImageRow[] = [];
  const best = new Extremes(EXAMPLES_PER_KIND, (a, b) => a > b);
  const worst = new Extremes(EXAMPLES_PER_KIND, (a, b) => a < b);
  // Name-major order, so each sharp image is decoded once for all its levels.
  const order = [...testSet.pairs].sort((a, b) => (a.sharp < b.sharp ? -1 : a.sharp > b.sharp ? 1 : 0));
  const sharpImages = new LastDecoded();

  for (const [i, pair] of order.entries()) {
    ctx.throwIfCancelled();
    await ctx.waitWhilePaused();
    const label = `${i + 1}/${order.length} ${pair.level}/${pair.name}`;
    ctx.progress(i / order.length, label);
    try {
      const sharp = await sharpImages.get(pair.sharp);
      if (sharp instanceof DecodeError) {
        skipped.push({ path: pair.blurred, reason: `its sharp image ${pair.sharp} cannot be read (${sharp.message})` });
        continue;
      }
      const blurred = await decodeToRgb(pair.blurred);
      if (blurred.width !== sharp.width || blurred.height !== sharp.height) {
        skipped.push({ path: pair.blurred, reason: `size-mismatch: ${blurred.width}×${blurred.height}, its sharp image is ${sharp.width}×${sharp.height}` });
        continue;
      }
      // on the blurred input, as a user's photo would be: the level is known here, so the estimate can be scored
      const format = await imageFormat(pair.blurred);
      const blur = estimatePhotoBlur(blurred, format);
      const tm = performance.now();
      const { output, route } = await restorePhoto({ predict, shape: loaded.shape, metadata: loaded.metadata }, blurred, blur, {
        compressed: isLossyFormat(format),
        onTile: async (done, total) => {
          ctx.throwIfCancelled();
          await ctx.waitWhilePaused();
          ctx.progress((i + done / total) / order.length, label);
        },
      });
      const ms = performance.now() - tm;
      const wiener = wienerFor(pair, blurred);
      const row: ImageRow = {
        name: pair.name,
        level: pair.level,
        kernel: pair.kernel,
        sigma: pair.sigma,
        width: sharp.width,
        height: sharp.height,
        blurred: pair.blurred,
        sharp: pair.sharp,
        model: score(output, sharp),
        identity: score(blurred, sharp),
        wiener: wiener ? score(wiener, sharp) : null,
        ms: Math.round(ms * 10) / 10,
        blur,
        route,
      };
      rows.push(row);
      const gain = imageGain(row);
      if (gain !== null && (best.wants(gain) || worst.wants(gain))) {
        const crop = mostBlurredWindow(sharp, blurred);
        const crops = { blurred: cropImage(blurred, crop), model: cropImage(output, crop), wiener: wiener ? cropImage(wiener, crop) : null, sharp: cropImage(sharp, crop) };
        const candidate = { row, gain, crop, crops };
        if (best.wants(gain)) best.add(candidate);
        if (worst.wants(gain)) worst.add(candidate);
      }
    } catch (err) {
      if (err instanceof CancelledError || ctx.signal.aborted) throw err;
      const reason = err instanceof DecodeError ? err.message : `failed: ${(err as Error).message}`;
      skipped.push({ path: pair.blurred, reason });
      ctx.log('warn', `skipped ${pair.blurred}: ${reason}`);
    }
  }

  // Rows in the test set's order (level, then name), whatever order they were computed in.
  const position = new Map(testSet.pairs.map((p, i) => [p.blurred, i]));
  rows.sort((a, b) => position.get(a.blurred)! - position.get(b.blurred)!);
  const bestNames = new Set(best.items.map((c) => c.row.blurred));
  const examples: Example[] = [];
  for (const c of best.items) examples.push(await toExample('best', c));
  for (const c of worst.items.filter((w) => !bestNames.has(w.row.blurred))) examples.push(await toExample('worst', c));

  const shape = loaded.shape;
  const training = loaded.source.runDir ? await readTrainingInfo(loaded.source.runDir) : null;
  return {
    format: EVAL_FORMAT,
    version: EVAL_VERSION,
    meta: {
      createdAt: new Date().toISOString(),
      app: { name: 'deblur-studio', version: appVersion },
      backend,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
      model: {
        requested: loaded.source.requested,
        dir: loaded.source.dir,
        name: loaded.model.name,
        architecture: describeArchitecture(loaded.model.name, loaded.metadata, training?.config ?? null),
        params: loaded.params,
        layers: loaded.model.layers.length,
        input: { fixed: shape.fixed ?? null, multipleOf: shape.fixed ? null : (shape.multipleOf ?? 1) },
        metadata: loaded.metadata,
        runDir: loaded.source.runDir,
        checkpoint: loaded.source.checkpoint,
      },
      training,
      testSet: { path: testSet.root, layout: testSet.layout },
      settings: {
        tile: shape.fixed ? shape.fixed.width : DEFAULT_TILE,
        overlap: DEFAULT_OVERLAP,
        metrics:
          'PSNR (dB, data range 255, one MSE over R, G and B) and SSIM (7×7 uniform window, scikit-image defaults) on 8-bit sRGB; ' +
          'identical images have PSNR +∞, left out of means and counted',
        wiener: {
          method: 'Wiener deconvolution X = H/(H²+K)·Y with the level’s known Gaussian (cv2 kernel), DC passed through, reflect-101 borders',
          k: Object.fromEntries(Object.entries(WIENER_K).map(([kernel, k]) => [`blur_k${kernel}`, k])),
          block: DEFAULT_WIENER_BLOCK,
          margin: DEFAULT_WIENER_MARGIN,
        },
      },
    },
    images: rows,
    summary: summarizeEvaluation(testSet.levels, rows),
    examples,
    skipped,
  };
}

/** sharp's name of a file's format (jpeg, png, webp …), which tells the blur estimator whether it is lossy. */
async function imageFormat(file: string): Promise<string> {
  const meta = await sharp(file).metadata().catch(() => null);
  return meta?.format ?? path.extname(file).slice(1);
}

/** The Wiener baseline when the level's blur is known (kernel size and σ); null otherwise. */
function wienerFor(pair: TestPair, blurred: RawImage): RawImage | null {
  if (pair.kernel === null || pair.sigma === null || !Object.hasOwn(WIENER_K, pair.kernel)) return null;
  return wienerDeblurGaussian(blurred, pair.kernel, pair.sigma, WIENER_K[pair.kernel as keyof typeof WIENER_K]);
}

async function toExample(kind: 'best' | 'worst', c: Candidate): Promise<Example> {
  return {
    kind,
    name: c.row.name,
    level: c.row.level,
    gainDb: c.gain,
    modelPsnr: c.row.model.psnr,
    identityPsnr: c.row.identity.psnr,
    crop: c.crop,
    blurred: await pngDataUrl(c.crops.blurred),
    model: await pngDataUrl(c.crops.model),
    wiener: c.crops.wiener ? await pngDataUrl(c.crops.wiener) : null,
    sharp: await pngDataUrl(c.crops.sharp),
  };
}
