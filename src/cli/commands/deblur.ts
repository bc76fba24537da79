import path from 'node:path';
import { describeBlur, describeRoute } from '../../shared/blur-text';
import { isBuiltinModelName } from '../../engine/infer/model-source';
import type { Command } from 'commander';
import { outputFormat, type JobResult } from '../../shared/contract';
import { runJob } from '../run-job';
import { EXIT_ERROR, exitPartialIf, partialNote } from './exit-codes';

/**
 * `deblur-studio deblur <inputs…> --model <path|default> [--out dir] [--format same|png|jpeg] [--tile N] [--recursive] [--blur-sigma σ]`:
 * deblurs files and folders into --out; never overwrites a file unless --overwrite (and never the input).
 * Exits 1 when nothing could be deblurred, 3 when some inputs were skipped or failed (exit-codes.ts).
 */
interface DeblurOptions {
  model: string;
  out: string;
  format: string;
  tile?: string;
  recursive?: boolean;
  overwrite?: boolean;
  blurSigma?: string;
}

export function registerDeblurCommand(program: Command): void {
  program
    .command('deblur')
    .description('deblur photos (files or folders of images) with a trained model; outputs never replace an existing file')
    .argument('<inputs...>', 'image files and/or folders')
    .option('--model <path|name>', 'model folder (with model.json), training run folder, "default" (built-in, kernel-aware) or "blind" (the previous built-in)', 'default')
    .option('--out <dir>', 'output folder', 'deblurred')
    .option('--format <same|png|jpeg>', 'output format: same as the input (JPEG quality 95), png or jpeg', 'same')
    .option('--tile <n>', 'tile side in pixels for fully convolutional models (default 512)')
    .option('--recursive', 'also deblur images in sub-folders of the folders named')
    .option('--overwrite', 'replace earlier outputs of the same name (never an input); without it a free name is chosen')
    .option('--blur-sigma <σ>', 'the Gaussian σ the photos were blurred with, if you know it: a kernel-aware model undoes exactly that instead of estimating it per photo')
    .action(deblurCommand);
}

/** A model parameter as the engine wants it: "default" as is, paths absolute. */
export function modelParam(model: string): string {
  return isBuiltinModelName(model) ? model : path.resolve(model);
}

export function formatDeblurResult(r: JobResult<'deblur'>): string {
  const lines = r.outputs.map((o) => `${o.input} → ${o.output} (${o.width}×${o.height}, ${(o.ms / 1000).toFixed(1)} s; ${describeBlur(o.blur)}${o.route?.kind === 'kernel-aware' ? `; ${describeRoute(o.route)}` : ''})`);
  const partial = r.outputs.length > 0 ? partialNote(r.skipped.length, r.outputs.length + r.skipped.length) : '';
  lines.push(`${r.outputs.length} image(s) deblurred, ${r.skipped.length} skipped${partial}`);
  for (const s of r.skipped) lines.push(`  skipped ${s.path}: ${s.reason}`);
  return lines.join('\n');
}

export async function deblurCommand(inputs: string[], opts: DeblurOptions): Promise<void> {
  const format = outputFormat.safeParse(opts.format);
  if (!format.success) throw new Error(`--format must be ${outputFormat.options.slice(0, -1).join(', ')} or ${outputFormat.options.at(-1)}, got "${opts.format}"`);
  const tile = opts.tile === undefined ? null : Number(opts.tile);
  const result = await runJob({
    type: 'deblur',
    params: {
      inputs: inputs.map((p) => path.resolve(p)),
      model: modelParam(opts.model),
      outDir: path.resolve(opts.out),
      format: format.data,
      tile,
      recursive: opts.recursive === true,
      overwrite: opts.overwrite === true,
      blurSigma: opts.blurSigma === undefined ? null : Number(opts.blurSigma),
    },
  });
  process.stdout.write(`${formatDeblurResult(result)}\n`);
  if (result.outputs.length === 0 && result.skipped.length > 0) process.exitCode = EXIT_ERROR;
  else exitPartialIf(result.skipped.length);
}
