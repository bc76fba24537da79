import { describe, expect, it } from 'vitest';
import { createTestContext } from '../../../src/engine/jobs/job-context';
import { ScheduleCallback } from '../../../src/engine/train/callbacks/schedule';
import { scheduleFromState } from '../../../src/engine/train/schedules';
import { freshState, validationResult } from './fakes';

const plateau = { kind: 'plateau', lr: 0.01, factor: 0.5, patience: 1, minLr: 0, minDelta: 0, best: null, wait: 0 } as const;

describe('ScheduleCallback', () => {
  it('gives each validation loss to the schedule and logs when the rate was lowered', () => {
    const schedule = scheduleFromState(plateau);
    const state = freshState({ step: 10, schedule: schedule.state() });
    const ctx = createTestContext();
    const callback = new ScheduleCallback({ schedule, state, ctx });
    callback.onValidation({ step: 10, result: validationResult({ loss: 1 }), improved: true, seconds: 1 });
    expect(ctx.logs).toEqual([]);
    callback.onValidation({ step: 20, result: validationResult({ loss: 1 }), improved: false, seconds: 1 });
    expect(schedule.lrAt(20)).toBe(0.005);
    expect(ctx.logs).toEqual([{ level: 'info', message: 'validation loss has not improved for a while: learning rate lowered to 5.00e-3' }]);
  });

  it("keeps the schedule's state in the run's state, so the next checkpoint saves the lowered rate", () => {
    const schedule = scheduleFromState(plateau);
    const state = freshState({ schedule: schedule.state() });
    const callback = new ScheduleCallback({ schedule, state, ctx: createTestContext() });
    callback.onValidation({ step: 10, result: validationResult({ loss: 1 }), improved: true, seconds: 1 });
    callback.onValidation({ step: 20, result: validationResult({ loss: 1 }), improved: false, seconds: 1 });
    expect(state.schedule).toEqual({ ...plateau, lr: 0.005, best: 1, wait: 0 });
    // what a resumed run rebuilds from the checkpoint continues at the lowered rate
    expect(scheduleFromState(state.schedule).lrAt(21)).toBe(0.005);
  });

  it('an empty validation (no validation images) leaves the schedule as it is', () => {
    const schedule = scheduleFromState(plateau);
    const state = freshState({ schedule: schedule.state() });
    new ScheduleCallback({ schedule, state, ctx: createTestContext() }).onValidation({ step: 10, result: null, improved: false, seconds: 0 });
    expect(state.schedule).toEqual(plateau);
  });
});
