import type { ValidationResult } from '../validation';

/**
 * The training loop's callbacks, in the Keras sense: the loop trains one step after another and
 * tells each callback, in the order given, what happened; the callbacks report, validate, save and
 * adjust the schedule. A callback throws to end the run with an error (a diverged validation, a
 * failed save); the loop does not catch for them.
 */

/** One trained step, as the loop reports it after updating the run's counters. */
export interface StepEnd {
  /** steps done, this one included */
  step: number;
  /** 1-based epoch this step belongs to */
  epoch: number;
  /** the batch loss (finite: a non-finite loss ends the run before callbacks see it) */
  loss: number;
  /** learning rate the step trained with */
  lr: number;
  /** images in the batch */
  samples: number;
  /** wall-clock seconds of the step (batch read and update) */
  seconds: number;
  /** the run validates (and saves) after this step */
  validationDue: boolean;
}

/** What one validation found; `result` is null when the data set has no validation images. */
export interface ValidationEnd {
  step: number;
  result: ValidationResult | null;
  /** the validation PSNR beat every earlier one (the step becomes the `best` checkpoint) */
  improved: boolean;
  /** wall-clock seconds the validation took (0 without validation images) */
  seconds: number;
}

/** finished: every step trained; stopped: the user stopped it (what was trained is kept). */
export type TrainEnd = 'finished' | 'stopped';

type MaybePromise = void | Promise<void>;

export interface TrainingCallback {
  /** before the first step of this session */
  onTrainBegin?(): MaybePromise;
  /** after every trained step */
  onStepEnd?(step: StepEnd): MaybePromise;
  /** after a validation (the loop runs one when StepEnd.validationDue) */
  onValidation?(validation: ValidationEnd): MaybePromise;
  /** once, when the session finished or was stopped; not after an error */
  onTrainEnd?(end: TrainEnd): MaybePromise;
}

/** Calls every callback's hook in order, each awaited before the next (their events keep their order). */
export class CallbackList implements Required<TrainingCallback> {
  constructor(private readonly callbacks: readonly TrainingCallback[]) {}

  async onTrainBegin(): Promise<void> {
    for (const c of this.callbacks) await c.onTrainBegin?.();
  }

  async onStepEnd(step: StepEnd): Promise<void> {
    for (const c of this.callbacks) await c.onStepEnd?.(step);
  }

  async onValidation(validation: ValidationEnd): Promise<void> {
    for (const c of this.callbacks) await c.onValidation?.(validation);
  }

  async onTrainEnd(end: TrainEnd): Promise<void> {
    for (const c of this.callbacks) await c.onTrainEnd?.(end);
  }
}
