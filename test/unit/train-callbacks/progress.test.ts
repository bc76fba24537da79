import { describe, expect, it } from 'vitest';
import { createTestContext } from '../../../src/engine/jobs/job-context';
import { ProgressCallback, STEP_EVENT_INTERVAL_MS } from '../../../src/engine/train/callbacks/progress';
import { fakeClock, freshState, recorder, stepEnd } from './fakes';

function setup(totalSteps = 10, validateEvery = 5) {
  const state = freshState({ smoothedLoss: 0.25 });
  const ctx = createTestContext();
  const { emit, events } = recorder();
  const clock = fakeClock();
  const progress = new ProgressCallback({ jobId: 'j1', run: 'r', totalSteps, validateEvery, stepsPerEpoch: 4, state, ctx, emit, now: clock.now });
  return { state, ctx, events, clock, progress };
}

describe('ProgressCallback', () => {
  it('sends train.step at most every STEP_EVENT_INTERVAL_MS, and always at a step that validates', () => {
    const { events, clock, progress } = setup();
    progress.onStepEnd(stepEnd(1)); // first: sent
    clock.advance(STEP_EVENT_INTERVAL_MS - 1);
    progress.onStepEnd(stepEnd(2)); // too soon
    progress.onStepEnd(stepEnd(3, { validationDue: true })); // too soon, but validates
    clock.advance(STEP_EVENT_INTERVAL_MS);
    progress.onStepEnd(stepEnd(4)); // due again
    expect(events.map((e) => [e.event, e.payload.step])).toEqual([
      ['train.step', 1],
      ['train.step', 3],
      ['train.step', 4],
    ]);
    expect(events[0]!.payload).toMatchObject({ jobId: 'j1', run: 'r', epoch: 1, loss: 0.5, smoothedLoss: 0.25, lr: 1e-3, samplesPerSecond: 8 });
  });

  it('reports the fraction and a message with epoch, smoothed loss and the last validation PSNR after every step', () => {
    const { state, ctx, progress } = setup(10);
    progress.onStepEnd(stepEnd(1));
    state.lastValidation = { step: 1, loss: 0.1, psnr: 31.234 };
    progress.onStepEnd(stepEnd(2, { epoch: 1 }));
    expect(ctx.progressLog).toEqual([
      { fraction: 0.1, message: 'step 1/10 (epoch 1/3) · loss 0.2500' },
      { fraction: 0.2, message: 'step 2/10 (epoch 1/3) · loss 0.2500 · val PSNR 31.23 dB' },
    ]);
  });

  it('estimates the time left from the smoothed step time plus the validations still to come', () => {
    const { progress } = setup(10, 5);
    expect(progress.etaSeconds(0)).toBeNull();
    progress.onStepEnd(stepEnd(1, { seconds: 2 }));
    progress.onStepEnd(stepEnd(2, { seconds: 1 })); // EMA: 2 + 0.1 (1 − 2) = 1.9
    expect(progress.etaSeconds(2)).toBeCloseTo(8 * 1.9, 10);
    progress.onValidation({ step: 5, result: { loss: 0, psnr: null, ssim: null, identityPsnr: null, byLevel: [], example: null }, improved: false, seconds: 3 });
    // after step 5: 5 steps and one validation (at step 10) left
    expect(progress.etaSeconds(5)).toBeCloseTo(5 * 1.9 + 3, 10);
    // an empty validation (no validation images) does not change the estimate
    progress.onValidation({ step: 10, result: null, improved: false, seconds: 0 });
    expect(progress.etaSeconds(5)).toBeCloseTo(5 * 1.9 + 3, 10);
  });
});
