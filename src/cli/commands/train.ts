import path from 'node:path';
import type { Command } from 'commander';
import type { EventMessage, EventPayload, JobParamsInput, JobResult } from '../../shared/contract';
import { runJob } from '../run-job';
import { parseLevelWeights } from '../../shared/level-weights';
import { modelParam } from './deblur';

/**
 * `deblur-studio train <prepared-set> --run <name> …` starts a run; `deblur-studio train --resume <runDir>`
 * continues one from its last checkpoint. Ctrl-C stops the run after saving a checkpoint.
 */
interface TrainOptions {
  resume?: string;
  run?: string;
  runsDir: string;
  model?: string;
  preset?: string;
  epochs?: string;
  batch?: string;
  patch?: string;
  lr?: string;
  loss?: string;
  schedule?: string;
  stepsPerEpoch?: string;
  validateEvery?: string;
  seed?: string;
  init?: string;
  levelWeights?: string;
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a deblurring model on a prepared data set, or resume a run (Ctrl-C stops it after saving a checkpoint)')
    .argument('[prepared-set]', 'folder made by "prepare" (with manifest.json)')
    .option('--run <name>', 'name of the run (its folder under --runs-dir)')
    .option('--runs-dir <dir>', 'folder that holds the runs', 'runs')
    .option('--model <name>', 'model from the zoo (resunet, seed-autoencoder)')
    .option('--preset <name>', 'model preset (resunet: small, base, large)')
    .option('--epochs <n>', 'epochs')
    .option('--batch <n>', 'images per step')
    .option('--patch <n|full>', 'square crop side, or "full" for whole frames')
    .option('--lr <x>', 'peak learning rate')
    .option('--loss <name>', 'mse, l1, charbonnier or psnr')
    .option('--schedule <name>', 'plateau, cosine or constant')
    .option('--steps-per-epoch <n>', 'steps per epoch (default: every training pair once)')
    .option('--validate-every <n>', 'steps between validations and checkpoints (default: once per epoch)')
    .option('--seed <n>', 'seed of the data order, crops and flips')
    .option('--level-weights <k:w,…>', 'loss weight per blur level, e.g. 3:10 (levels not named weigh 1)')
    .option('--init <model>', 'fine-tune: start from the weights of "default" (the built-in model), a model folder or a run folder (same model and preset)')
    .option('--resume <runDir>', 'continue the run in this folder from its last checkpoint')
    .action(trainCommand);
}

export async function trainCommand(preparedSet: string | undefined, opts: TrainOptions): Promise<void> {
  const onEvent = printValidation();
  let result: JobResult<'train'>;
  if (opts.resume !== undefined) {
    if (preparedSet !== undefined || opts.run !== undefined) throw new Error('--resume takes only the run folder: the data set and settings come from the run');
    result = await runJob({ type: 'resume', params: { runDir: path.resolve(opts.resume) } }, onEvent);
  } else {
    if (preparedSet === undefined) throw new Error('name the prepared data set folder (or --resume <runDir>)');
    if (opts.run === undefined) throw new Error('name the run with --run <name>');
    result = await runJob({ type: 'train', params: trainParamsFrom(preparedSet, opts) }, onEvent);
  }
  const best = result.bestPsnr === null ? 'no validation yet' : `best val PSNR ${result.bestPsnr.toFixed(2)} dB`;
  const how = result.stopped === 'stopped' ? `stopped; continue with: deblur-studio train --resume ${quote(result.runDir)}` : 'finished';
  process.stdout.write(`${result.runDir}: ${result.steps} steps, ${best}, ${how}\n`);
}

export function trainParamsFrom(preparedSet: string, opts: TrainOptions): JobParamsInput<'train'> {
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const params: JobParamsInput<'train'> = {
    dataset: path.resolve(preparedSet),
    runsDir: path.resolve(opts.runsDir),
    run: opts.run as string,
    model: opts.model,
    preset: opts.preset,
    epochs: num(opts.epochs),
    batch: num(opts.batch),
    patch: opts.patch === undefined ? undefined : opts.patch === 'full' ? null : Number(opts.patch),
    lr: num(opts.lr),
    loss: opts.loss as JobParamsInput<'train'>['loss'],
    schedule: opts.schedule as JobParamsInput<'train'>['schedule'],
    stepsPerEpoch: num(opts.stepsPerEpoch),
    validateEvery: num(opts.validateEvery),
    init: opts.init === undefined ? undefined : modelParam(opts.init),
    levelWeights: opts.levelWeights === undefined ? undefined : parseLevelWeights(opts.levelWeights),
    seed: num(opts.seed),
  };
  // Unset options take the contract's defaults.
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as JobParamsInput<'train'>;
}

/** One line per validation under the progress bar: PSNR/SSIM against the identity baseline. */
function printValidation(): (m: EventMessage) => void {
  return (m) => {
    if (m.event !== 'train.validation') return;
    const v = m.payload as EventPayload<'train.validation'>;
    const db = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)} dB`);
    const levels = v.byLevel.map((l) => `k${l.kernel} ${db(l.psnr)} (blurred ${db(l.identityPsnr)})`).join(', ');
    const clear = process.stderr.isTTY ? '\r\x1b[2K' : '';
    process.stderr.write(`${clear}step ${v.step}: val loss ${v.loss.toPrecision(4)}, PSNR ${db(v.psnr)} (blurred input ${db(v.identityPsnr)}), SSIM ${v.ssim?.toFixed(4) ?? '—'}; ${levels}\n`);
  };
}

function quote(p: string): string {
  return /^[\w./-]+$/.test(p) ? p : `'${p.replace(/'/g, "'\\''")}'`;
}
