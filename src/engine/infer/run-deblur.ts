import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { EventPayload, JobParams, JobResult } from '../../shared/contract';
import { classifyFsError, classifySharpError, DecodeError, DEFAULT_LIMIT_INPUT_PIXELS, fileEndMarkerMissing } from '../image/decode';
import { CancelledError, type JobContext } from '../jobs/job-context';
import { selectRuntime } from '../runtime/select';
import { describeBlur, describeRoute } from '../../shared/blur-text';
import { estimatePhotoBlur, isLossyFormat } from '../blur/photo-estimate';
import { assertWritableOutputFolder } from '../fs/output-check';
import { collectInputs, type InputFile } from './collect-inputs';
import { gridFor } from './deblur-image';
import { restorationOf, restorePhoto } from '../restore/restore-photo';
import { wienerKernelForSigma } from '../restore/wiener-kernel';
import { loadRunnableModel } from './load-model';
import { describeInferChoice } from './ort-runtime';
import { candidateName, writeNewOutput } from './output-file';
import { decodePhoto, encodePhoto, extensionFor, formatHasAlpha, outputKindFor, type OutputKind } from './photo-io';

/**
 * The `deblur` job: every image named (or found in the folders named) is deblurred tile by tile and
 * written into outDir, never over an existing file. Bad files are skipped with a reason; progress
 * counts tiles across the whole batch, so the ETA holds for mixed sizes.
 */
export async function runDeblur(params: JobParams<'deblur'>, ctx: JobContext & { jobId?: string }): Promise<JobResult<'deblur'>> {
  await assertWritableOutputFolder(path.resolve(params.outDir), 'outDir', 'the output folder');
  const runtime = await selectRuntime();
  const loaded = await loadRunnableModel(params.model);
  ctx.log('info', `model ${loaded.model.name} from ${loaded.source.dir} (${loaded.params.toLocaleString('en-US')} parameters) on ${runtime.backend}`);
  if (params.blurSigma !== null) {
    if (restorationOf(loaded.metadata).kind === 'kernel-aware') ctx.log('info', `blur given: σ ${params.blurSigma}, undone instead of the estimated one`);
    else ctx.log('warn', `blur given (σ ${params.blurSigma}), but ${loaded.model.name} is a blind model: it does not use a known blur`);
  }
  ctx.log('info', describeInferChoice(loaded.engine.report));
  for (const note of loaded.engine.notes) ctx.log('info', note);
  try {
    const outDir = path.resolve(params.outDir);
    const { files, skipped } = await collectInputs(params.inputs, { recursive: params.recursive, exclude: outDir });
    const tileOpts = params.tile !== null ? { tile: params.tile } : {};

    // Each photo is reported once as it is settled (deblurred, kept or skipped), so a gallery can fill meanwhile.
    let settled = 0;
    const report = (input: string, output: string | null, reason: string | null): void =>
      ctx.emit('deblur.image', { jobId: ctx.jobId ?? 'local', index: ++settled, total: files.length, input, output, reason } satisfies EventPayload<'deblur.image'>);
    const skip = (input: string, reason: string, existing: string | null = null): void => {
      skipped.push({ path: input, reason });
      report(input, existing, reason);
    };

    // Headers first (cheap), so the progress can count every tile of the batch from the start.
    const planned: Array<InputFile & { tiles: number }> = [];
    for (const file of files) {
      ctx.throwIfCancelled();
      try {
        const { width, height, format } = await orientedSize(file.path);
        if (params.skipExisting) {
          const existing = await existingOutput(outDir, file, outputExtension(file.path, outputKindFor(format, params.format)));
          if (existing) {
            skip(file.path, `kept: ${existing} already exists`, existing);
            continue;
          }
        }
        planned.push({ ...file, tiles: gridFor(width, height, loaded.shape, tileOpts).count });
      } catch (err) {
        skip(file.path, reasonOf(err));
      }
    }
    const totalTiles = planned.reduce((n, f) => n + f.tiles, 0);
    let tilesBefore = 0;
    const outputs: JobResult<'deblur'>['outputs'] = [];
    for (const [i, file] of planned.entries()) {
      ctx.throwIfCancelled();
      await ctx.waitWhilePaused();
      const label = `${i + 1}/${planned.length} ${path.basename(file.path)}`;
      ctx.progress(tilesBefore / Math.max(1, totalTiles), label);
      const t0 = performance.now();
      try {
        const photo = await decodePhoto(file.path);
        const blur = estimatePhotoBlur(photo.rgb, photo.format);
        ctx.log('info', `${file.path}: ${describeBlur(blur)}`);
        const compressed = isLossyFormat(photo.format);
        const { output: result, route } = await restorePhoto(loaded, photo.rgb, blur, {
          ...tileOpts,
          compressed,
          kernel: params.blurSigma === null ? undefined : wienerKernelForSigma(params.blurSigma, { compressed }),
          onTile: async (done, total) => {
            ctx.throwIfCancelled();
            await ctx.waitWhilePaused();
            ctx.progress((tilesBefore + (done / total) * file.tiles) / Math.max(1, totalTiles), `${label}: tile ${done}/${total}`);
          },
        });
        if (route.kind === 'kernel-aware') ctx.log('info', `${file.path}: ${describeRoute(route)}`);
        const kind = outputKindFor(photo.format, params.format);
        if (photo.alpha && !formatHasAlpha(kind)) ctx.log('warn', `${file.path}: ${kind} has no transparency; the output is composited over white`);
        const bytes = await encodePhoto(result, photo.alpha, kind, photo.hadIccProfile);
        const rel = path.parse(file.rel);
        const output = await writeNewOutput(path.join(outDir, rel.dir), rel.name, outputExtension(file.path, kind), bytes, file.path, { overwrite: params.overwrite });
        outputs.push({ input: file.path, output, width: result.width, height: result.height, ms: Math.round(performance.now() - t0), blur, route });
        ctx.log('info', `${file.path} → ${output}`);
        report(file.path, output, null);
      } catch (err) {
        if (err instanceof CancelledError || ctx.signal.aborted) throw err;
        skip(file.path, reasonOf(err));
        ctx.log('warn', `skipped ${file.path}: ${reasonOf(err)}`);
      }
      tilesBefore += file.tiles;
    }
    ctx.progress(1, `${outputs.length} deblurred, ${skipped.length} skipped`);
    return { outputs, skipped };
  } finally {
    await loaded.dispose();
  }
}

/** The input's own extension when the format stays (photo.JPG stays .JPG), else the format's usual one. */
function outputExtension(input: string, kind: OutputKind): string {
  const ext = path.extname(input);
  const same: Record<OutputKind, string[]> = { jpeg: ['.jpg', '.jpeg', '.jfif'], png: ['.png'], webp: ['.webp'], tiff: ['.tif', '.tiff'] };
  return same[kind].includes(ext.toLowerCase()) ? ext : extensionFor(kind);
}

/** The output a run without overwrite would write first (its first name that is not the input), when it exists already. */
async function existingOutput(outDir: string, file: InputFile, ext: string): Promise<string | null> {
  const rel = path.parse(file.rel);
  for (let attempt = 0; attempt < 2; attempt++) {
    const candidate = path.join(outDir, rel.dir, candidateName(rel.name, ext, attempt));
    if (path.resolve(candidate) === path.resolve(file.path)) continue;
    return (await fs.lstat(candidate).then(() => true, () => false)) ? candidate : null;
  }
  return null;
}

/** Width and height after the EXIF orientation, and the format, from the header only (the pixels are read later). */
async function orientedSize(file: string): Promise<{ width: number; height: number; format: string }> {
  const stat = await fs.stat(file).catch((err: unknown) => {
    throw classifyFsError(err);
  });
  if (stat.size === 0) throw new DecodeError('empty', 'the file is empty (0 bytes)');
  try {
    const meta = await sharp(file, { limitInputPixels: DEFAULT_LIMIT_INPUT_PIXELS }).metadata();
    if (!meta.width || !meta.height) throw new DecodeError('corrupt', 'the header names no image size');
    const swapped = (meta.orientation ?? 1) >= 5;
    const format = meta.format ?? 'unknown';
    return swapped ? { width: meta.height, height: meta.width, format } : { width: meta.width, height: meta.height, format };
  } catch (err) {
    throw err instanceof DecodeError ? err : classifySharpError(err, await fileEndMarkerMissing(file));
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof DecodeError) return err.message;
  return `failed: ${err instanceof Error ? err.message : String(err)}`;
}
