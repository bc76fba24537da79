import { describe, expect, it } from 'vitest';
import { createTestContext } from '../../../src/engine/jobs/job-context';
import type * as tf from '../../../src/engine/models/tf';
import { ValidationCallback, type ValidationOptions } from '../../../src/engine/train/callbacks/validation';
import { TrainingDivergedError } from '../../../src/engine/train/diverged';
import type { ValidationResult, ValidationSource } from '../../../src/engine/train/validation';
import { fakeClock, freshState, recorder, validationResult } from './fakes';

const oneImage: ValidationSource[] = [{ id: 'a', sharp: { data: new Uint8Array(12), width: 2, height: 2, channels: 3 }, blurred: new Map() }];

function setup(results: ValidationResult[], over: Partial<ValidationOptions> = {}) {
  const state = freshState({ step: 5 });
  const ctx = createTestContext();
  const { emit, events } = recorder();
  const clock = fakeClock();
  const queue = [...results];
  const validation = new ValidationCallback({
    jobId: 'j1',
    run: 'r',
    runDir: '/runs/r',
    model: {} as tf.LayersModel,
    lossFn: () => {
      throw new Error('the fake validation does not compute a loss');
    },
    valSet: oneImage,
    state,
    ctx,
    emit,
    savedStep: () => 3,
    validateFn: async () => {
      clock.advance(1500);
      return queue.shift()!;
    },
    now: clock.now,
    ...over,
  });
  return { state, ctx, events, validation };
}

describe('ValidationCallback', () => {
  it('sends train.validation, keeps the last validation and counts its time as training time', async () => {
    const { state, events, validation } = setup([validationResult({ loss: 0.02, psnr: 30 })]);
    const v = await validation.run();
    expect(v).toMatchObject({ step: 5, improved: true, seconds: 1.5 });
    expect(events).toEqual([
      { event: 'train.validation', payload: { jobId: 'j1', run: 'r', step: 5, loss: 0.02, psnr: 30, ssim: 0.9, identityPsnr: 28, byLevel: validationResult().byLevel } },
    ]);
    expect(state.lastValidation).toEqual({ step: 5, loss: 0.02, psnr: 30 });
    expect(state.trainSeconds).toBe(1.5);
    expect([state.bestPsnr, state.bestStep]).toEqual([30, 5]);
  });

  it('marks a validation improved only when its PSNR beats the best so far', async () => {
    const { state, validation } = setup([validationResult({ psnr: 30 }), validationResult({ psnr: 29 }), validationResult({ psnr: null }), validationResult({ psnr: 31 })]);
    const improved: boolean[] = [];
    for (const step of [5, 10, 15, 20]) {
      state.step = step;
      improved.push((await validation.run()).improved);
    }
    expect(improved).toEqual([true, false, false, true]);
    expect([state.bestPsnr, state.bestStep]).toEqual([31, 20]);
  });

  it('ends the run when the validation loss is not finite, naming the step, the kept checkpoint and the run folder', async () => {
    const { state, events, validation } = setup([validationResult({ loss: NaN })]);
    const err = await validation.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as Error).message).toBe(
      'training stopped: the validation loss became NaN at step 5; the last good checkpoint (step 3) is kept in /runs/r. Lower the learning rate (--lr) and start a new run or resume from the checkpoint.',
    );
    expect(events).toEqual([]);
    expect(state.lastValidation).toBeNull();
  });

  it('without validation images: warns once at the start and every validation is empty', async () => {
    const { state, ctx, events, validation } = setup([], { valSet: [] });
    validation.onTrainBegin();
    expect(ctx.logs).toEqual([{ level: 'warn', message: 'the data set has no validation images: no validation metrics and no "best" checkpoint in this run' }]);
    expect(await validation.run()).toEqual({ step: 5, result: null, improved: false, seconds: 0 });
    expect(events).toEqual([]);
    expect(state.lastValidation).toBeNull();
  });
});
