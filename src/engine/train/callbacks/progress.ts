import type { JobContext } from '../../jobs/job-context';
import type { CheckpointState } from '../checkpoint-state';
import type { StepEnd, TrainingCallback, ValidationEnd } from './callback';
import type { EmitTrainingEvent } from './history';

/** train.step events (and their history lines) at most this often; every step is still trained and counted. */
export const STEP_EVENT_INTERVAL_MS = 200;
/** smoothing of the speed: EMA weight of the newest value */
const SPEED_EMA = 0.1;

export interface ProgressOptions {
  jobId: string;
  run: string;
  totalSteps: number;
  validateEvery: number;
  stepsPerEpoch: number;
  /** the run's counters (step, smoothed loss, last validation), read when reporting */
  state: Readonly<Pick<CheckpointState, 'step' | 'smoothedLoss' | 'lastValidation'>>;
  ctx: Pick<JobContext, 'progress'>;
  emit: EmitTrainingEvent;
  /** milliseconds clock; tests pass a fake one */
  now?: () => number;
}

/**
 * Progress of a training session: the job's progress bar and message after every step, and
 * train.step events for the loss chart (throttled to STEP_EVENT_INTERVAL_MS, but always at a step
 * that validates) with the smoothed speed and the ETA, which counts the validations still to come.
 */
export class ProgressCallback implements TrainingCallback {
  private secondsPerStep: number | null = null;
  private samplesPerSecond = 0;
  private validationSeconds = 0;
  private lastStepEvent = -Infinity;
  private readonly now: () => number;

  constructor(private readonly o: ProgressOptions) {
    this.now = o.now ?? (() => performance.now());
  }

  onStepEnd(s: StepEnd): void {
    this.secondsPerStep = this.secondsPerStep === null ? s.seconds : this.secondsPerStep + SPEED_EMA * (s.seconds - this.secondsPerStep);
    const rate = s.samples / s.seconds;
    this.samplesPerSecond = this.samplesPerSecond === 0 ? rate : this.samplesPerSecond + SPEED_EMA * (rate - this.samplesPerSecond);
    const { state, totalSteps, stepsPerEpoch } = this.o;
    const smoothedLoss = state.smoothedLoss ?? s.loss;

    const now = this.now();
    if (now - this.lastStepEvent >= STEP_EVENT_INTERVAL_MS || s.validationDue) {
      this.lastStepEvent = now;
      this.o.emit('train.step', {
        jobId: this.o.jobId,
        run: this.o.run,
        step: s.step,
        epoch: s.epoch,
        loss: s.loss,
        smoothedLoss,
        lr: s.lr,
        samplesPerSecond: this.samplesPerSecond,
        etaSeconds: this.etaSeconds(s.step),
      });
    }
    const psnr = state.lastValidation?.psnr;
    const psnrText = psnr != null ? ` · val PSNR ${psnr.toFixed(2)} dB` : '';
    this.o.ctx.progress(
      s.step / totalSteps,
      `step ${s.step}/${totalSteps} (epoch ${s.epoch}/${Math.ceil(totalSteps / stepsPerEpoch)}) · loss ${smoothedLoss.toPrecision(4)}${psnrText}`,
      // the same ETA as train.step's, so the progress bar and the charts never show two different ones
      this.etaSeconds(s.step),
    );
  }

  /** The latest validation's duration is what each validation still to come is expected to take. */
  onValidation(v: ValidationEnd): void {
    if (v.result) this.validationSeconds = v.seconds;
  }

  /** Seconds left: the steps at the smoothed step time plus the validations still due. */
  etaSeconds(step: number): number | null {
    if (this.secondsPerStep === null) return null;
    const { totalSteps, validateEvery } = this.o;
    const validationsLeft = Math.ceil(totalSteps / validateEvery) - Math.floor(step / validateEvery);
    return (totalSteps - step) * this.secondsPerStep + validationsLeft * this.validationSeconds;
  }
}
