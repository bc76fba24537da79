import type { JobResult, ModelMetadataInput } from '../../shared/contract';
import { CancelledError, type JobContext } from '../jobs/job-context';
import { getModelInfo, getPresetInfo } from '../models/registry';
import type * as tf from '../models/tf';
import type { Adam } from './adam';
import { CallbackList, type StepEnd } from './callbacks/callback';
import { CheckpointCallback } from './callbacks/checkpoint';
import { HistoryCallback } from './callbacks/history';
import { PreviewsCallback } from './callbacks/previews';
import { ProgressCallback } from './callbacks/progress';
import { RestorationGateCallback } from './callbacks/restoration-gate';
import { ScheduleCallback } from './callbacks/schedule';
import { ValidationCallback } from './callbacks/validation';
import type { CheckpointState } from './checkpoint';
import { divergedStepError } from './diverged';
import type { HistoryWriter } from './history';
import type { LossFunction } from './losses';
import type { RunConfig } from './run-dir';
import type { LrSchedule } from './schedules';
import type { StreamBatch, TrainStream } from './train-stream';
import { trainStep } from './train-step';
import type { ValidationSource } from './validation';

export { TrainingDivergedError } from './diverged';

/**
 * The training loop of one session (a fresh run or a resumed one): a plain step loop. Each step
 * trains one batch and updates the run's counters; the callbacks (./callbacks) then report
 * progress, validate when due, adjust the schedule, send previews and save checkpoints, and
 * history.jsonl records what they send. Pause waits between steps; Stop saves `last` and ends the
 * job normally.
 */
export interface TrainingSession {
  runDir: string;
  run: string;
  config: RunConfig;
  model: tf.LayersModel;
  adam: Adam;
  schedule: LrSchedule;
  lossFn: LossFunction;
  stream: TrainStream;
  valSet: ValidationSource[];
  /** counters etc.; updated in place as the run goes */
  state: CheckpointState;
  history: HistoryWriter;
  /** step of the `last` checkpoint already on disk (a resumed run), null for a fresh run */
  savedStep: number | null;
  /** a kernel-aware model's gate as its last checkpoint saved it (a resumed run), so a save before the next validation keeps it */
  restoration?: ModelMetadataInput['restoration'];
}

/** Test seams: observe a session without changing how it trains. */
export interface TrainingHooks {
  /** the session as set up (restored optimizer and counters for a resumed run), before the first step */
  onStart?: (session: TrainingSession) => void | Promise<void>;
  /** sees (and may change) every batch before the step trains on it; tests poison a batch here */
  onBatch?: (batch: StreamBatch, step: number) => void;
}

export type TrainContext = JobContext & { jobId?: string };

/** smoothing of the loss curve: EMA weight of the newest value */
const LOSS_EMA = 0.05;

export async function runTrainingSession(s: TrainingSession, ctx: TrainContext, hooks: TrainingHooks = {}): Promise<JobResult<'train'>> {
  const { config, state } = s;
  const { totalSteps, validateEvery, stepsPerEpoch } = config;
  const jobId = ctx.jobId ?? 'local';
  const run = s.run;
  // What deblur and reports read from a checkpoint's model.json (userDefinedMetadata).
  const metadata: ModelMetadataInput = {
    model: config.params.model,
    preset: config.params.preset,
    inputConstraint: getPresetInfo(config.params.model, config.params.preset).inputConstraint,
    run,
  };
  const kernelAware = getModelInfo(config.params.model).restoration === 'kernel-aware';
  const gate = kernelAware ? new RestorationGateCallback(Object.assign(metadata, { restoration: s.restoration ?? { kind: 'kernel-aware' as const, levels: [], step: null } }), config.dataset.sigmas ?? {}) : null;

  const history = new HistoryCallback(s.history, (event, payload) => ctx.emit(event, payload));
  const emit = history.emit;
  const checkpoint = new CheckpointCallback({ jobId, run, runDir: s.runDir, model: s.model, adam: s.adam, state, metadata, emit, savedStep: s.savedStep });
  const validation = new ValidationCallback({
    jobId,
    run,
    runDir: s.runDir,
    model: s.model,
    lossFn: s.lossFn,
    valSet: s.valSet,
    state,
    ctx,
    emit,
    savedStep: () => checkpoint.savedStep,
  });
  // Order matters: a validation step's train.step event comes before its validation, preview and checkpoints.
  const callbacks = new CallbackList([
    new ProgressCallback({ jobId, run, totalSteps, validateEvery, stepsPerEpoch, state, ctx, emit }),
    validation,
    ...(gate ? [gate] : []),
    new PreviewsCallback({ jobId, run, emit }),
    new ScheduleCallback({ schedule: s.schedule, state, ctx }),
    checkpoint,
    history,
  ]);

  /** Trains the next batch and updates the run's counters; throws (without updating the model) when the loss is not finite. */
  const trainNextStep = async (): Promise<StepEnd> => {
    const t0 = performance.now();
    const batch = await s.stream.next();
    hooks.onBatch?.(batch, state.step);
    const lr = s.schedule.lrAt(state.step);
    const loss = await trainStep(s.model, s.adam, s.lossFn, batch, lr, imageWeights(batch.items, config.params.levelWeights));
    if (!Number.isFinite(loss)) throw divergedStepError(loss, lr, state.step + 1, checkpoint.savedStep, s.runDir);

    const epoch = Math.floor(state.step / stepsPerEpoch) + 1;
    state.step += 1;
    state.data = { ...batch.next };
    state.samplesSeen += batch.n;
    state.lr = lr;
    state.smoothedLoss = state.smoothedLoss === null ? loss : state.smoothedLoss + LOSS_EMA * (loss - state.smoothedLoss);
    const seconds = (performance.now() - t0) / 1000;
    state.trainSeconds += seconds;
    const validationDue = state.step % validateEvery === 0 || state.step === totalSteps;
    return { step: state.step, epoch, loss, lr, samples: batch.n, seconds, validationDue };
  };

  const result = (stopped: 'finished' | 'stopped'): JobResult<'train'> => ({ runDir: s.runDir, steps: state.step, bestPsnr: state.bestPsnr, stopped });

  try {
    await hooks.onStart?.(s);
    await callbacks.onTrainBegin();
    while (state.step < totalSteps) {
      await ctx.waitWhilePaused();
      const step = await trainNextStep();
      await callbacks.onStepEnd(step);
      if (step.validationDue) await callbacks.onValidation(await validation.run());
    }
    await callbacks.onTrainEnd('finished');
    return result('finished');
  } catch (err) {
    if (!(err instanceof CancelledError) && !ctx.signal.aborted) throw err;
    // Stop: keep everything trained so far, then end normally.
    await callbacks.onTrainEnd('stopped');
    ctx.log('info', `stopped at step ${state.step}; resume with the run folder ${s.runDir}`);
    return result('stopped');
  } finally {
    await s.stream.close();
    await history.close();
  }
}

/** Per-image loss weights from the run's level weights (a level not named weighs 1); none when not set. */
export function imageWeights(items: ReadonlyArray<{ level: number }>, levelWeights: Record<string, number> | null | undefined): Float32Array | undefined {
  if (!levelWeights) return undefined;
  return Float32Array.from(items, (item) => levelWeights[String(item.level)] ?? 1);
}
