import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { parseEval, type EvalFile, type LevelSummary } from '../../engine/evaluate/eval-schema';
import { fmtGain, fmtPsnr, fmtSsim } from '../../engine/report/format';
import { runJob } from '../run-job';
import { freeOutputName } from '../../engine/fs/output-check';
import { modelParam } from './deblur';
import { evaluationLevels, gainSummary } from './gain-summary';
import { exitPartialIf, nameLabel, partialNote } from './exit-codes';
import { describeBlurAccuracy, describeRouteCounts } from '../../shared/blur-text';
import { isBuiltinModelName } from '../../engine/infer/model-source';

/**
 * `deblur-studio eval <test-set> --model <path|default> [--out file.json] [--overwrite]`: scores a model and two
 * baselines. Without --out the file is named after the model and the test set (eval-<model>-on-<set>.json, in the
 * current folder, -2, -3 … when taken); a named file that exists is refused unless --overwrite.
 */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('score a model on a test set (blur/ + sharp/, blur_k3|7|11/ + sharp/, or a prepared set) against the blurred input and Wiener deconvolution')
    .argument('<test-set>', 'test set folder')
    .option('--model <path|name>', 'model folder (with model.json), training run folder, "default" (built-in, kernel-aware) or "blind" (the previous built-in)', 'default')
    .option('--out <file>', 'evaluation JSON to write (default: eval-<model>-on-<test set>.json in the current folder, never replacing one)')
    .option('--overwrite', 'replace the --out file if it exists')
    .action(evalCommand);
}

export function formatEvalSummary(file: EvalFile): string {
  const row = (s: LevelSummary) =>
    [
      (s.level === 'all' ? 'all' : s.level).padEnd(10),
      String(s.images).padStart(6),
      `${fmtPsnr(s.model.psnr.meanDb)} / ${fmtSsim(s.model.ssim)}`.padStart(18),
      `${fmtPsnr(s.identity.psnr.meanDb)} / ${fmtSsim(s.identity.ssim)}`.padStart(18),
      `${fmtPsnr(s.wiener?.psnr.meanDb)} / ${fmtSsim(s.wiener?.ssim)}`.padStart(18),
      fmtGain(s.gainOverIdentityDb).padStart(9),
      fmtGain(s.gainOverWienerDb).padStart(9),
    ].join(' ');
  const head = ['level'.padEnd(10), 'images'.padStart(6), 'model PSNR/SSIM'.padStart(18), 'input PSNR/SSIM'.padStart(18), 'Wiener PSNR/SSIM'.padStart(18), 'vs input'.padStart(9), 'vs Wiener'.padStart(9)].join(' ');
  const lines = [head, ...file.summary.levels.map(row)];
  if (file.summary.levels.length > 1) lines.push(row(file.summary.overall));
  lines.push(...gainSummary(evaluationLevels(file), 'test set'));
  if (file.summary.blurEstimation) lines.push(describeBlurAccuracy(file.summary.blurEstimation));
  const routes = describeRouteCounts(file.images);
  if (routes) lines.push(routes);
  return lines.join('\n');
}

/** The default evaluation file: what it holds in its name, a free name in the current folder. */
export function defaultEvalOut(testSet: string, model: string): Promise<string> {
  const modelName = isBuiltinModelName(model) ? model : path.basename(path.resolve(model));
  return freeOutputName(process.cwd(), `eval-${nameLabel(modelName)}-on-${nameLabel(path.basename(path.resolve(testSet)))}`, '.json');
}

export async function evalCommand(testSet: string, opts: { model: string; out?: string; overwrite?: boolean }): Promise<void> {
  const out = opts.out === undefined ? await defaultEvalOut(testSet, opts.model) : path.resolve(opts.out);
  const result = await runJob({ type: 'evaluate', params: { testSet: path.resolve(testSet), model: modelParam(opts.model), out, overwrite: opts.overwrite === true } });
  const file = parseEval(await readFile(result.out, 'utf8'), result.out);
  const partial = partialNote(result.skipped.length, result.images + result.skipped.length);
  process.stdout.write(`${formatEvalSummary(file)}\n${result.images} image(s) scored, ${result.skipped.length} skipped${partial}; wrote ${result.out}\n`);
  for (const s of result.skipped) process.stdout.write(`  skipped ${s.path}: ${s.reason}\n`);
  exitPartialIf(result.skipped.length);
}
