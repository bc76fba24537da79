/**
 * The errors that end a run whose loss became NaN or infinite. They say where the last good
 * checkpoint is (the model is never updated with a non-finite loss) and what to change.
 */
export class TrainingDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

/** A training step's loss was not finite (`step`: the 1-based step that produced it). */
export function divergedStepError(loss: number, lr: number, step: number, savedStep: number, runDir: string): TrainingDivergedError {
  return new TrainingDivergedError(
    `training stopped: the loss became ${loss} at step ${step} (learning rate ${lr.toExponential(2)}); the model was not updated with it and ${keptText(savedStep, runDir)}. ` +
      'Lower the learning rate (--lr) or use the charbonnier/l1 loss, then start a new run or resume from the checkpoint.',
  );
}

/** The validation loss after `step` steps was not finite. */
export function divergedValidationError(loss: number, step: number, savedStep: number, runDir: string): TrainingDivergedError {
  return new TrainingDivergedError(
    `training stopped: the validation loss became ${loss} at step ${step}; ${keptText(savedStep, runDir)}. Lower the learning rate (--lr) and start a new run or resume from the checkpoint.`,
  );
}

function keptText(savedStep: number, runDir: string): string {
  return savedStep >= 0 ? `the last good checkpoint (step ${savedStep}) is kept in ${runDir}` : `no checkpoint was saved yet in ${runDir}`;
}
