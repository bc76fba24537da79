import type { JobContext } from '../../jobs/job-context';
import type * as tf from '../../models/tf';
import type { CheckpointState } from '../checkpoint-state';
import { divergedValidationError } from '../diverged';
import type { LossFunction } from '../losses';
import { validate, type ValidationSource } from '../validation';
import type { TrainingCallback, ValidationEnd } from './callback';
import type { EmitTrainingEvent } from './history';

export interface ValidationOptions {
  jobId: string;
  run: string;
  runDir: string;
  model: tf.LayersModel;
  lossFn: LossFunction;
  valSet: readonly ValidationSource[];
  /** the run's counters: validation time, the last validation and the best PSNR are kept here */
  state: CheckpointState;
  ctx: Pick<JobContext, 'log' | 'throwIfCancelled'>;
  emit: EmitTrainingEvent;
  /** step of the `last` checkpoint on disk (-1: none yet), named when a validation diverges */
  savedStep: () => number;
  /** the validation itself (../validation.ts); tests pass a fake */
  validateFn?: typeof validate;
  now?: () => number;
}

/**
 * Validation of a training session: when the loop asks (`run`), the model's loss and PSNR/SSIM on
 * the validation images, sent as train.validation and kept in the run's state (last validation,
 * best PSNR and its step). A non-finite validation loss ends the run. Without validation images it
 * warns once and every validation is empty (the run still saves `last`, never `best`).
 */
export class ValidationCallback implements TrainingCallback {
  private readonly validateFn: typeof validate;
  private readonly now: () => number;

  constructor(private readonly o: ValidationOptions) {
    this.validateFn = o.validateFn ?? validate;
    this.now = o.now ?? (() => performance.now());
  }

  onTrainBegin(): void {
    if (this.o.valSet.length === 0) this.o.ctx.log('warn', 'the data set has no validation images: no validation metrics and no "best" checkpoint in this run');
  }

  async run(): Promise<ValidationEnd> {
    const { state, valSet } = this.o;
    if (valSet.length === 0) return { step: state.step, result: null, improved: false, seconds: 0 };
    const t0 = this.now();
    const r = await this.validateFn(this.o.model, this.o.lossFn, valSet, this.o.ctx);
    if (!Number.isFinite(r.loss)) throw divergedValidationError(r.loss, state.step, this.o.savedStep(), this.o.runDir);
    const seconds = (this.now() - t0) / 1000;
    state.trainSeconds += seconds;
    this.o.emit('train.validation', {
      jobId: this.o.jobId,
      run: this.o.run,
      step: state.step,
      loss: r.loss,
      psnr: r.psnr,
      ssim: r.ssim,
      identityPsnr: r.identityPsnr,
      byLevel: r.byLevel,
    });
    state.lastValidation = { step: state.step, loss: r.loss, psnr: r.psnr };
    const improved = r.psnr !== null && (state.bestPsnr === null || r.psnr > state.bestPsnr);
    if (improved) {
      state.bestPsnr = r.psnr;
      state.bestStep = state.step;
    }
    return { step: state.step, result: r, improved, seconds };
  }
}
