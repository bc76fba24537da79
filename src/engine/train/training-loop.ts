import type { EventPayload, JobResult, ModelMetadataInput } from '../../shared/contract';
import { CancelledError, type JobContext } from '../jobs/job-context';
import { getPresetInfo } from '../models/registry';
import type * as tf from '../models/tf';
import type { Adam } from './adam';
import { copyCheckpoint, saveCheckpoint, type CheckpointState } from './checkpoint';
import type { HistoryWriter } from './history';
import type { LossFunction } from './losses';
import { snapshotAdam } from './optimizer-state';
import { previewImages } from './preview';
import type { CheckpointKind, RunConfig } from './run-dir';
import type { LrSchedule } from './schedules';
import type { StreamBatch, TrainStream } from './train-stream';
import { trainStep } from './train-step';
import { validate, type ValidationSource } from './validation';

/**
 * The training loop of one session (a fresh run or a resumed one): step, report, validate,
 * checkpoint; Pause waits between steps; Stop saves `last` and ends the job normally.
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
}

/** Test seams: observe a session without changing how it trains. */
export interface TrainingHooks {
  /** the session as set up (restored optimizer and counters for a resumed run), before the first step */
  onStart?: (session: TrainingSession) => void | Promise<void>;
  /** sees (and may change) every batch before the step trains on it; tests poison a batch here */
  onBatch?: (batch: StreamBatch, step: number) => void;
}

export type TrainContext = JobContext & { jobId?: string };

/** train.step events (and their history lines) at most this often; every step is still trained and counted. */
const STEP_EVENT_INTERVAL_MS = 200;
/** `last` is also saved after this long without a save, so a kill loses little even with rare validations. */
const CHECKPOINT_INTERVAL_MS = 5 * 60 * 1000;
/** smoothing of the loss curve and of the speed: EMA weight of the newest value */
const LOSS_EMA = 0.05;
const SPEED_EMA = 0.1;

export class TrainingDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

export async function runTrainingSession(s: TrainingSession, ctx: TrainContext, hooks: TrainingHooks = {}): Promise<JobResult<'train'>> {
  const { config, state } = s;
  const { totalSteps, validateEvery, stepsPerEpoch } = config;
  const jobId = ctx.jobId ?? 'local';
  let secondsPerStep: number | null = null;
  let samplesPerSecond = 0;
  let validationSeconds = 0;
  let lastStepEvent = -Infinity;
  let lastSave = performance.now();
  let savedStep = s.savedStep ?? -1;
  // What deblur and reports read from a checkpoint's model.json (userDefinedMetadata).
  const metadata = {
    model: config.params.model,
    preset: config.params.preset,
    inputConstraint: getPresetInfo(config.params.model, config.params.preset).inputConstraint,
    run: s.run,
  } satisfies ModelMetadataInput;

  const emit = <E extends 'train.step' | 'train.validation' | 'train.checkpoint' | 'train.preview'>(event: E, payload: EventPayload<E>): void => {
    ctx.emit(event, payload);
    if (event !== 'train.preview') s.history.append({ event, payload: payload as Record<string, unknown> });
  };

  const etaSeconds = (): number | null => {
    if (secondsPerStep === null) return null;
    const remaining = totalSteps - state.step;
    const validationsLeft = Math.ceil(totalSteps / validateEvery) - Math.floor(state.step / validateEvery);
    return remaining * secondsPerStep + validationsLeft * validationSeconds;
  };

  const saveLast = async (): Promise<void> => {
    if (savedStep === state.step) return;
    state.savedAt = new Date().toISOString();
    const optimizer = await snapshotAdam(s.adam, state.lr);
    const dir = await saveCheckpoint(s.runDir, 'last', { model: s.model, optimizer, state, metadata });
    savedStep = state.step;
    lastSave = performance.now();
    emitCheckpoint('last', dir);
  };
  const emitCheckpoint = (kind: CheckpointKind, dir: string): void => {
    emit('train.checkpoint', { jobId, run: s.run, step: state.step, kind, path: dir });
  };

  const validateAndSave = async (): Promise<void> => {
    let improved = false;
    if (s.valSet.length > 0) {
      const t0 = performance.now();
      const r = await validate(s.model, s.lossFn, s.valSet, ctx);
      if (!Number.isFinite(r.loss)) throw new TrainingDivergedError(`training stopped: the validation loss became ${r.loss} at step ${state.step}; ${keptText(savedStep, s.runDir)}. Lower the learning rate (--lr) and start a new run or resume from the checkpoint.`);
      validationSeconds = (performance.now() - t0) / 1000;
      state.trainSeconds += validationSeconds;
      emit('train.validation', { jobId, run: s.run, step: state.step, loss: r.loss, psnr: r.psnr, ssim: r.ssim, identityPsnr: r.identityPsnr, byLevel: r.byLevel });
      if (r.example) emit('train.preview', { jobId, run: s.run, step: state.step, ...(await previewImages(r.example)) });
      if (Number.isFinite(r.loss) && s.schedule.onValidation(r.loss)) {
        ctx.log('info', `validation loss has not improved for a while: learning rate lowered to ${s.schedule.lrAt(state.step).toExponential(2)}`);
      }
      state.lastValidation = { step: state.step, loss: r.loss, psnr: r.psnr };
      improved = r.psnr !== null && (state.bestPsnr === null || r.psnr > state.bestPsnr);
      if (improved) {
        state.bestPsnr = r.psnr;
        state.bestStep = state.step;
      }
    }
    await saveLast();
    if (improved) emitCheckpoint('best', await copyCheckpoint(s.runDir, 'last', 'best'));
  };

  const result = (stopped: 'finished' | 'stopped'): JobResult<'train'> => ({ runDir: s.runDir, steps: state.step, bestPsnr: state.bestPsnr, stopped });

  try {
    await hooks.onStart?.(s);
    if (s.valSet.length === 0) ctx.log('warn', 'the data set has no validation images: no validation metrics and no "best" checkpoint in this run');
    while (state.step < totalSteps) {
      await ctx.waitWhilePaused();
      const t0 = performance.now();
      const batch = await s.stream.next();
      hooks.onBatch?.(batch, state.step);
      const lr = s.schedule.lrAt(state.step);
      const loss = await trainStep(s.model, s.adam, s.lossFn, batch, lr, imageWeights(batch.items, s.config.params.levelWeights));
      if (!Number.isFinite(loss)) throw diverged(loss, lr, state.step + 1, savedStep, s.runDir);

      const epochOfStep = Math.floor(state.step / stepsPerEpoch);
      state.step += 1;
      state.data = { ...batch.next };
      state.samplesSeen += batch.n;
      state.lr = lr;
      state.smoothedLoss = state.smoothedLoss === null ? loss : state.smoothedLoss + LOSS_EMA * (loss - state.smoothedLoss);
      const dt = (performance.now() - t0) / 1000;
      state.trainSeconds += dt;
      secondsPerStep = secondsPerStep === null ? dt : secondsPerStep + SPEED_EMA * (dt - secondsPerStep);
      samplesPerSecond = samplesPerSecond === 0 ? batch.n / dt : samplesPerSecond + SPEED_EMA * (batch.n / dt - samplesPerSecond);

      const validationDue = state.step % validateEvery === 0 || state.step === totalSteps;
      const now = performance.now();
      if (now - lastStepEvent >= STEP_EVENT_INTERVAL_MS || validationDue) {
        lastStepEvent = now;
        emit('train.step', {
          jobId,
          run: s.run,
          step: state.step,
          epoch: epochOfStep + 1,
          loss,
          smoothedLoss: state.smoothedLoss,
          lr,
          samplesPerSecond,
          etaSeconds: etaSeconds(),
        });
      }
      const psnrText = state.lastValidation?.psnr != null ? ` · val PSNR ${state.lastValidation.psnr.toFixed(2)} dB` : '';
      ctx.progress(state.step / totalSteps, `step ${state.step}/${totalSteps} (epoch ${epochOfStep + 1}/${Math.ceil(totalSteps / stepsPerEpoch)}) · loss ${state.smoothedLoss.toPrecision(4)}${psnrText}`);

      if (validationDue) await validateAndSave();
      else if (performance.now() - lastSave >= CHECKPOINT_INTERVAL_MS) await saveLast();
    }
    await saveLast();
    return result('finished');
  } catch (err) {
    if (!(err instanceof CancelledError) && !ctx.signal.aborted) throw err;
    // Stop: keep everything trained so far, then end normally.
    await saveLast();
    ctx.log('info', `stopped at step ${state.step}; resume with the run folder ${s.runDir}`);
    return result('stopped');
  } finally {
    await s.stream.close();
    await s.history.close();
  }
}

function diverged(loss: number, lr: number, step: number, savedStep: number, runDir: string): TrainingDivergedError {
  return new TrainingDivergedError(
    `training stopped: the loss became ${loss} at step ${step} (learning rate ${lr.toExponential(2)}); the model was not updated with it and ${keptText(savedStep, runDir)}. ` +
      'Lower the learning rate (--lr) or use the charbonnier/l1 loss, then start a new run or resume from the checkpoint.',
  );
}

function keptText(savedStep: number, runDir: string): string {
  return savedStep >= 0 ? `the last good checkpoint (step ${savedStep}) is kept in ${runDir}` : `no checkpoint was saved yet in ${runDir}`;
}

/** Per-image loss weights from the run's level weights (a level not named weighs 1); none when not set. */
export function imageWeights(items: ReadonlyArray<{ level: number }>, levelWeights: Record<string, number> | null | undefined): Float32Array | undefined {
  if (!levelWeights) return undefined;
  return Float32Array.from(items, (item) => levelWeights[String(item.level)] ?? 1);
}
