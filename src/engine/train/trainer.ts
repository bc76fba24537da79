import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readModelMetadataOf, type JobParams, type JobResult } from '../../shared/contract';
import { appVersion } from '../../shared/app-version';
import { createPairLoader, type PairLoader } from '../data/loader';
import { readCompleteManifest, type DatasetManifest } from '../data/manifest';
import { ModelTooLargeError } from '../models/errors';
import { describeInputConstraint, type InputConstraint } from '../models/input-constraint';
import { assertTrainable, buildModel, getModelInfo, getPresetInfo, MAX_PARAMS } from '../models/registry';
import { readModelMetadata } from '../models/io';
import { BLURRED_INPUT, type ModelInput } from '../restore/model-input';
import { wienerKernelOfLevel, type WienerKernel } from '../restore/wiener-kernel';
import type * as tf from '../models/tf';
import { withFsContext } from '../fs/errors';
import { selectRuntime } from '../runtime/select';
import { Adam, trainableWeightsOf } from './adam';
import { loadCheckpoint, recoverCheckpoints, type CheckpointState } from './checkpoint';
import { freshCheckpointState } from './checkpoint-state';
import { HistoryWriter, rewriteHistory } from './history';
import { loadInitialWeights } from './init-weights';
import { lossFunction } from './losses';
import { restoreAdam } from './optimizer-state';
import { withSeededRandom } from './seeded-init';
import { lockRunDir, pathExists, readRunConfig, RUN_LOCK_FILE, runPaths, writeRunConfig, type RunConfig } from './run-dir';
import { createSchedule, scheduleFromState, withHorizon, type LrSchedule } from './schedules';
import { TrainStream } from './train-stream';
import { runTrainingSession, type TrainContext, type TrainingHooks } from './training-loop';
import { loadValidationSet } from './validation';

/**
 * The `train` and `resume` job handlers: set up a session (fresh, or from the `last` checkpoint)
 * and hand it to the training loop. Both return the contract's train result; Stop is a normal end.
 */
export async function runTraining(params: JobParams<'train'>, ctx: TrainContext, hooks: TrainingHooks = {}): Promise<JobResult<'train'>> {
  const runDir = path.join(params.runsDir, params.run);
  const existed = await pathExists(runDir);
  await withFsContext(runDir, 'create the run folder', () => fs.mkdir(runDir, { recursive: true }));
  const release = await lockRunDir(runDir, params.run);
  try {
    return await startTraining(params, runDir, ctx, hooks);
  } finally {
    await release();
    // A run refused or failed before its config was written leaves no empty folder behind.
    if (!existed) await fs.rmdir(runDir).catch(() => undefined);
  }
}

async function startTraining(params: JobParams<'train'>, runDir: string, ctx: TrainContext, hooks: TrainingHooks): Promise<JobResult<'train'>> {
  const paths = runPaths(runDir);
  if (await pathExists(paths.config)) {
    await recoverCheckpoints(runDir);
    if (await pathExists(paths.checkpoint('last'))) {
      throw new Error(`a run named "${params.run}" already exists in ${params.runsDir}; resume it (train --resume ${runDir}) or choose another name`);
    }
    // It ended before its first checkpoint: nothing to resume, so it starts over.
    ctx.log('info', `the run "${params.run}" never saved a checkpoint: starting it over`);
    await fs.rm(paths.history, { force: true });
  } else if ((await fs.readdir(runDir).catch(() => [])).some((e) => e !== RUN_LOCK_FILE)) {
    throw new Error(`the folder ${runDir} exists and is not empty, but holds no training run; choose another run name`);
  }
  const preset = getPresetInfo(params.model, params.preset);
  assertParamLimit(preset.params, `${params.model} (${preset.name})`);
  assertPatchFits(params.patch, preset.inputConstraint, params.model);
  const runtime = await selectRuntime();
  const manifest = await readCompleteManifest(params.dataset);
  assertFrameFits(params.patch, manifest, preset.inputConstraint, params.model);
  assertLevelWeightsFit(params.levelWeights, manifest);

  const input = modelInputFor(params.model, manifest);
  const loader = await trainLoader(params, input);
  try {
    const stepsPerEpoch = params.stepsPerEpoch ?? loader.batchesPerEpoch;
    const totalSteps = params.epochs * stepsPerEpoch;
    const config: RunConfig = {
      format: 'deblur-studio/train-run',
      version: 1,
      params,
      createdAt: new Date().toISOString(),
      stepsPerEpoch,
      totalSteps,
      validateEvery: params.validateEvery ?? stepsPerEpoch,
      dataset: datasetFacts(manifest),
      app: { version: appVersion, backend: runtime.backend },
    };
    const valSet = await loadValidationSet(params.dataset, manifest, preset.inputConstraint, input);
    const schedule = createSchedule(params.schedule, { lr: params.lr, totalSteps });
    const state = freshCheckpointState(schedule.lrAt(0), schedule.state(), new Date().toISOString());
    return await withModel(withSeededRandom(params.seed, () => buildModel(params.model, params.preset)), null, async (model, adam) => {
      assertTrainable(model);
      if (params.init) ctx.log('info', `starting from the weights of ${await loadInitialWeights(params.init, model, params.model)}`);
      await writeRunConfig(runDir, config);
      ctx.log(
        'info',
        `training ${model.name} (${model.countParams().toLocaleString('en-US')} parameters) on ${runtime.backend}: ${totalSteps} steps of ` +
          `${params.batch} × ${patchText(params.patch)} from ${loader.pairsPerEpoch} training pairs; ${valSet.length} validation image${valSet.length === 1 ? '' : 's'}`,
      );
      return runTrainingSession(
        { ...sessionParts(runDir, config, model, adam, schedule, loader, state), valSet, history: await HistoryWriter.open(paths.history), savedStep: null },
        ctx,
        hooks,
      );
    });
  } finally {
    await loader.close();
  }
}

export async function resumeTraining(params: JobParams<'resume'>, ctx: TrainContext, hooks: TrainingHooks = {}): Promise<JobResult<'train'>> {
  const { runDir } = params;
  const config = await readRunConfig(runDir);
  const release = await lockRunDir(runDir, config.params.run);
  try {
    return await continueTraining(runDir, config, params.epochs, ctx, hooks);
  } finally {
    await release();
  }
}

async function continueTraining(runDir: string, saved: RunConfig, epochs: number | undefined, ctx: TrainContext, hooks: TrainingHooks): Promise<JobResult<'train'>> {
  let config = saved;
  const p = config.params;
  await recoverCheckpoints(runDir);
  if (!(await pathExists(runPaths(runDir).checkpoint('last')))) {
    throw new Error(`the run in ${runDir} has no checkpoint yet (it ended before its first save); start it again with the same name and settings: it starts over`);
  }
  const runtime = await selectRuntime();
  const manifest = await readCompleteManifest(p.dataset);
  const facts = datasetFacts(manifest);
  if (facts.trainImages !== config.dataset.trainImages || facts.levels.join() !== config.dataset.levels.join()) {
    ctx.log('warn', `the data set in ${p.dataset} changed since the run started (${config.dataset.trainImages} → ${facts.trainImages} training images): the batches will differ from an uninterrupted run`);
  }
  const preset = getPresetInfo(p.model, p.preset);
  const input = modelInputFor(p.model, manifest);
  const loader = await trainLoader(p, input);
  try {
    const valSet = await loadValidationSet(p.dataset, manifest, preset.inputConstraint, input);
    const checkpoint = await loadCheckpoint(runDir, 'last');
    const { restoration } = readModelMetadataOf(await readModelMetadata(runPaths(runDir).checkpoint('last')));
    const { state } = checkpoint;
    return await withModel(checkpoint.model, checkpoint.optimizer, async (model, adam) => {
      config = replanRun(config, state.step, epochs);
      if (config !== saved) {
        await writeRunConfig(runDir, config);
        ctx.log('info', `${p.run} now runs ${config.params.epochs} epoch${config.params.epochs === 1 ? '' : 's'} (${config.totalSteps} steps; was ${saved.totalSteps})`);
      }
      // Every resume, not only the one that changed the plan: a job killed before its next checkpoint left the old horizon saved.
      state.schedule = withHorizon(state.schedule, config.totalSteps);
      // Drop what was logged after the checkpoint: those steps are trained again now.
      await rewriteHistory(runPaths(runDir).history, (e) => typeof e.payload.step === 'number' && e.payload.step <= state.step);
      const where = state.step >= config.totalSteps ? `it already finished all ${config.totalSteps} steps` : `continuing at step ${state.step}/${config.totalSteps}`;
      ctx.log('info', `resuming ${p.run} on ${runtime.backend}: ${where}`);
      const schedule = scheduleFromState(state.schedule);
      return runTrainingSession(
        { ...sessionParts(runDir, config, model, adam, schedule, loader, state), valSet, history: await HistoryWriter.open(runPaths(runDir).history), savedStep: state.step, restoration },
        ctx,
        hooks,
      );
    });
  } finally {
    await loader.close();
  }
}

/**
 * The run's config with its length set to `epochs` (the same object when that is unset or already the plan). The step
 * count, data position and checkpoints carry on, so only the end moves; it may not move before the steps already trained.
 */
export function replanRun(config: RunConfig, trainedSteps: number, epochs: number | undefined): RunConfig {
  if (epochs === undefined || epochs === config.params.epochs) return config;
  const totalSteps = epochs * config.stepsPerEpoch;
  if (totalSteps < trainedSteps) {
    const done = Math.ceil(trainedSteps / config.stepsPerEpoch);
    throw new Error(`epochs: the run ${config.params.run} has already trained ${trainedSteps} steps (${done} epoch${done === 1 ? '' : 's'} of ${config.stepsPerEpoch}); epochs counts from the run's start, so ask for at least ${done}`);
  }
  return { ...config, params: { ...config.params, epochs }, totalSteps };
}

/** Refuses models over the trainable-size limit before anything is allocated; the message states the count. */
export function assertParamLimit(params: number, name: string, limit = MAX_PARAMS): void {
  if (params > limit) throw new ModelTooLargeError(params, limit, name);
}

/** Runs `fn` with the model and an Adam optimizer for it (restored when a saved state is given); disposes both after. */
async function withModel<T>(model: tf.LayersModel, saved: Parameters<typeof restoreAdam>[1] | null, fn: (model: tf.LayersModel, adam: Adam) => Promise<T>): Promise<T> {
  let adam: Adam | null = null;
  try {
    adam = new Adam(trainableWeightsOf(model));
    if (saved) restoreAdam(adam, saved);
    return await fn(model, adam);
  } finally {
    adam?.dispose();
    model.dispose();
  }
}

function sessionParts(runDir: string, config: RunConfig, model: tf.LayersModel, adam: Adam, schedule: LrSchedule, loader: PairLoader, state: CheckpointState) {
  return { runDir, run: config.params.run, config, model, adam, schedule, lossFn: lossFunction(config.params.loss), stream: new TrainStream(loader, state.data), state };
}

function trainLoader(p: JobParams<'train'>, input: ModelInput): Promise<PairLoader> {
  return createPairLoader(p.dataset, { split: 'train', batchSize: p.batch, patchSize: p.patch, flips: true, seed: p.seed, input });
}

/** What the model is fed in training: the blurred crops, or (kernel-aware) their Wiener deconvolution with each level's true kernel. */
function modelInputFor(model: string, m: DatasetManifest): ModelInput {
  if (getModelInfo(model).restoration === 'blind') return BLURRED_INPUT;
  const kernels: Record<string, WienerKernel> = {};
  for (const level of m.settings.levels) {
    const sigma = m.settings.sigmas[String(level)];
    if (sigma === undefined) throw new Error(`the data set's manifest gives no σ for blur level ${level}, which a kernel-aware model needs`);
    kernels[String(level)] = wienerKernelOfLevel(level, sigma);
  }
  return { kind: 'wiener', kernels };
}

function datasetFacts(m: DatasetManifest): RunConfig['dataset'] {
  return { trainImages: m.splits.train?.images ?? 0, valImages: m.splits.val?.images ?? 0, levels: m.settings.levels, sigmas: m.settings.sigmas };
}

function assertPatchFits(patch: number | null, c: InputConstraint, model: string): void {
  if (patch === null) return;
  if (c.fixed) {
    if (patch === c.fixed.width && patch === c.fixed.height) return;
    throw new Error(`${model} takes ${describeInputConstraint(c)}: train it on whole frames (patch "full") of a data set prepared at that size`);
  }
  const m = c.multipleOf ?? 1;
  if (patch % m !== 0) throw new Error(`${model} takes ${describeInputConstraint(c)}; patch ${patch} is not one (try ${Math.max(m, Math.round(patch / m) * m)})`);
}

function assertFrameFits(patch: number | null, m: DatasetManifest, c: InputConstraint, model: string): void {
  const { width, height } = m.settings;
  if (patch !== null) {
    if (patch > width || patch > height) throw new Error(`patch ${patch} is larger than the data set's ${width}×${height} images`);
    return;
  }
  const k = c.multipleOf ?? 1;
  const fits = c.fixed ? width === c.fixed.width && height === c.fixed.height : width % k === 0 && height % k === 0;
  if (!fits) throw new Error(`${model} takes ${describeInputConstraint(c)}; the data set's images are ${width}×${height}: choose a patch size or prepare the set at a size it takes`);
}

function assertLevelWeightsFit(weights: Record<string, number> | null, m: DatasetManifest): void {
  const unknown = Object.keys(weights ?? {}).filter((k) => !m.settings.levels.includes(Number(k)));
  if (unknown.length > 0) {
    throw new Error(`level weights name blur level ${unknown.join(', ')}, which the data set does not have (it has ${m.settings.levels.join(', ')})`);
  }
}

function patchText(patch: number | null): string {
  return patch === null ? 'whole frames' : `${patch}×${patch} patches`;
}
