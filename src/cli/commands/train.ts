import path from 'node:path';
import type { Command } from 'commander';
import { defaultLearningRate, FINE_TUNE_LR, metadataModelName, readModelMetadataOf, trainParams, type EventMessage, type EventPayload, type JobParamsInput, type JobResult } from '../../shared/contract';
import { readCompleteManifest } from '../../engine/data/manifest';
import { resolveModelSource } from '../../engine/infer/model-source';
import { readModelMetadata } from '../../engine/models/io';
import { checkJobParams, runJob, withEngine } from '../run-job';
import { parseLevelWeights } from '../../shared/level-weights';
import { modelParam } from './deblur';
import { gainSummary, validationLevels } from './gain-summary';

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

/** the options --resume takes; the data set and every other setting come from the run */
const RESUME_OPTIONS = new Set(['--resume', '--epochs']);

/** The contract's training defaults, shown in --help (an option left unset takes exactly these). */
const DEFAULTS = trainParams.parse({ dataset: path.resolve('/'), runsDir: path.resolve('/'), run: 'defaults' });

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a deblurring model on a prepared data set, or resume a run (Ctrl-C stops it after saving a checkpoint)')
    .argument('[prepared-set]', 'folder made by "prepare" (with manifest.json); required unless --resume')
    .option('--run <name>', 'name of the run (its folder under --runs-dir); required unless --resume')
    .option('--runs-dir <dir>', 'folder that holds the runs', 'runs')
    .option('--model <name>', 'model from the zoo (resunet, wiener-resunet: kernel-aware, seed-autoencoder; with --init: the model it starts from)', DEFAULTS.model)
    .option('--preset <name>', 'model preset (resunet: small, base, large; seed-autoencoder: default)', DEFAULTS.preset)
    .option('--epochs <n>', 'epochs (with --resume: the run\'s new length, counted from its start)', String(DEFAULTS.epochs))
    .option('--batch <n>', 'images per step', String(DEFAULTS.batch))
    .option('--patch <n|full>', 'square crop side, or "full" for whole frames', DEFAULTS.patch === null ? 'full' : String(DEFAULTS.patch))
    .option('--lr <x>', `peak learning rate (${FINE_TUNE_LR} with --init)`, String(DEFAULTS.lr))
    .option('--loss <name>', 'mse, l1, charbonnier or psnr', DEFAULTS.loss)
    .option('--schedule <name>', 'plateau, cosine or constant', DEFAULTS.schedule)
    .option('--steps-per-epoch <n>', 'steps per epoch (default: every training pair once)')
    .option('--validate-every <n>', 'steps between validations and checkpoints (default: once per epoch)')
    .option('--seed <n>', 'seed of the data order, crops and flips', String(DEFAULTS.seed))
    .option('--level-weights <k:w,…>', 'loss weight per blur level, e.g. 3:10 (default: every level weighs 1)')
    .option('--init <model>', 'fine-tune: start from the weights of "default" (the built-in kernel-aware model), "blind" (the previous, blind one), a model folder or a run folder (same model and preset; default: fresh weights)')
    .option('--resume <runDir>', 'continue the run in this folder from its last checkpoint (takes no data set, --run or settings; --epochs lengthens a finished run)')
    .action(trainCommand);
}

export async function trainCommand(preparedSet: string | undefined, opts: TrainOptions, command?: Command): Promise<void> {
  const { onEvent, best } = printValidation();
  let result: JobResult<'train'>;
  if (opts.resume !== undefined) {
    // Options have defaults, so only where a value came from tells a setting the user typed.
    const typed = (command?.options ?? []).filter((o) => !RESUME_OPTIONS.has(o.long ?? '') && command?.getOptionValueSource(o.attributeName()) === 'cli').map((o) => o.long);
    if (preparedSet !== undefined || typed.length > 0) {
      throw new Error(`--resume takes only the run folder and --epochs: the data set and settings come from the run (drop ${[...(preparedSet === undefined ? [] : [`"${preparedSet}"`]), ...typed].join(', ')})`);
    }
    const epochs = command?.getOptionValueSource('epochs') === 'cli' ? Number(opts.epochs) : undefined;
    result = await runJob({ type: 'resume', params: { runDir: path.resolve(opts.resume), ...(epochs === undefined ? {} : { epochs }) } }, onEvent);
  } else {
    if (preparedSet === undefined) throw new Error('name the prepared data set folder (or --resume <runDir>)');
    if (opts.run === undefined) {
      // Everything else is checked first, so the run name is the last thing asked for.
      await checkTrainSetup(trainParamsFrom(preparedSet, { ...opts, run: 'unnamed' }));
      throw new Error('name the run with --run <name> (its folder goes under --runs-dir)');
    }
    // a fine-tune starts at the contract's fine-tuning rate unless --lr was typed
    const lr = command?.getOptionValueSource('lr') === 'cli' ? opts.lr : String(defaultLearningRate(opts.init));
    const typed = (name: string) => command?.getOptionValueSource(name) === 'cli';
    const model = opts.init !== undefined && !typed('model') ? await modelOfInit(opts.init, typed('preset') ? opts.preset : undefined) : {};
    result = await runJob({ type: 'train', params: trainParamsFrom(preparedSet, { ...opts, ...model, lr }) }, onEvent);
  }
  const bestText = result.bestPsnr === null ? 'no validation yet' : `best val PSNR ${result.bestPsnr.toFixed(2)} dB`;
  const how = result.stopped === 'stopped' ? `stopped; continue with: deblur-studio train --resume ${quote(result.runDir)}` : 'finished';
  process.stdout.write(`${result.runDir}: ${result.steps} steps, ${bestText}, ${how}\n`);
  const headline = best();
  if (headline) process.stdout.write(`${gainSummary(validationLevels(headline), `best validation, step ${headline.step}`).join('\n')}\n`);
}

/**
 * A fine-tune without --model trains the model it starts from (its zoo model and preset, from its model.json), so
 * `--init default` fine-tunes the built-in kernel-aware model as such; a model.json that names none keeps the defaults.
 */
async function modelOfInit(init: string, preset: string | undefined): Promise<{ model?: string; preset?: string }> {
  const source = await resolveModelSource(modelParam(init));
  const meta = readModelMetadataOf(await readModelMetadata(source.dir));
  const model = metadataModelName(meta);
  if (model === undefined) return {};
  process.stderr.write(`starting from ${source.dir}: training it as ${model}${preset ?? meta.preset ? ` (${preset ?? meta.preset})` : ''}\n`);
  return { model, preset: preset ?? meta.preset };
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

/** The checks a training makes before it starts that do not need a run name: the options, the data set, the model and preset. */
async function checkTrainSetup(params: JobParamsInput<'train'>): Promise<void> {
  checkJobParams({ type: 'train', params });
  await readCompleteManifest(params.dataset);
  const { models } = await withEngine(({ host }) => host.route('models.list', {}) as Promise<{ models: Array<{ name: string; presets: Array<{ name: string }> }> }>);
  const model = models.find((m) => m.name === params.model);
  if (!model) throw new Error(`--model: unknown model "${params.model}"; available: ${models.map((m) => m.name).join(', ')}`);
  if (!model.presets.some((p) => p.name === params.preset)) {
    throw new Error(`--preset: model "${model.name}" has no preset "${params.preset}"; available: ${model.presets.map((p) => p.name).join(', ')}`);
  }
}

/** One line per validation under the progress bar: PSNR/SSIM against the identity baseline; keeps the best one for the summary. */
function printValidation(): { onEvent: (m: EventMessage) => void; best: () => EventPayload<'train.validation'> | null } {
  let best: EventPayload<'train.validation'> | null = null;
  const onEvent = (m: EventMessage) => {
    if (m.event !== 'train.validation') return;
    const v = m.payload as EventPayload<'train.validation'>;
    if (v.psnr !== null && (best?.psnr == null || v.psnr > best.psnr)) best = v;
    const db = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)} dB`);
    // a kernel-aware model's level also shows the Wiener filter and the network, and which one the level keeps
    const kernelAware = (l: (typeof v.byLevel)[number]) => (l.wienerPsnr === undefined ? '' : `; Wiener ${db(l.wienerPsnr ?? null)}, network ${db(l.networkPsnr ?? null)} → ${l.refined ? 'refines' : 'keeps Wiener'}`);
    const levels = v.byLevel.map((l) => `k${l.kernel} ${db(l.psnr)} (blurred ${db(l.identityPsnr)}${kernelAware(l)})`).join(', ');
    const clear = process.stderr.isTTY ? '\r\x1b[2K' : '';
    process.stderr.write(`${clear}step ${v.step}: val loss ${v.loss.toPrecision(4)}, PSNR ${db(v.psnr)} (blurred input ${db(v.identityPsnr)}), SSIM ${v.ssim?.toFixed(4) ?? '—'}; ${levels}\n`);
  };
  return { onEvent, best: () => best };
}

function quote(p: string): string {
  return /^[\w./-]+$/.test(p) ? p : `'${p.replace(/'/g, "'\\''")}'`;
}
