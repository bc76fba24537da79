import { describe, expect, it } from 'vitest';
import { COSINE_DEFAULTS, createSchedule, PLATEAU_DEFAULTS, scheduleFromState, withHorizon } from '../../src/engine/train/schedules';

describe('learning-rate schedules', () => {
  it('constant stays at the rate and ignores validations', () => {
    const s = createSchedule('constant', { lr: 2e-3, totalSteps: 100 });
    expect([0, 50, 99].map((k) => s.lrAt(k))).toEqual([2e-3, 2e-3, 2e-3]);
    expect(s.onValidation(1)).toBe(false);
  });

  it('cosine warms up linearly, peaks at the rate, and ends at 1 % of it', () => {
    const s = createSchedule('cosine', { lr: 1e-3, totalSteps: 200 });
    const warm = Math.round(200 * COSINE_DEFAULTS.warmupFraction); // 10
    expect(s.lrAt(0)).toBeCloseTo(1e-3 / warm, 12);
    expect(s.lrAt(warm - 1)).toBeCloseTo(1e-3, 12);
    expect(s.lrAt(warm)).toBeCloseTo(1e-3, 12);
    expect(s.lrAt(warm + 95)).toBeCloseTo(1e-5 + (1e-3 - 1e-5) * 0.5, 12); // halfway: mean of peak and floor
    expect(s.lrAt(200)).toBeCloseTo(1e-5, 12);
    for (let k = warm; k < 199; k++) expect(s.lrAt(k + 1)).toBeLessThanOrEqual(s.lrAt(k));
    expect(createSchedule('cosine', { lr: 1, totalSteps: 1_000_000 }).state()).toMatchObject({ warmupSteps: COSINE_DEFAULTS.maxWarmupSteps });
  });

  it('plateau lowers the rate by √0.1 after `patience` validations without improvement, not below the floor', () => {
    const s = createSchedule('plateau', { lr: 1e-3, totalSteps: 10 });
    expect(s.onValidation(1.0)).toBe(false); // first value: best
    expect(s.onValidation(0.5)).toBe(false); // improved
    for (let i = 1; i < PLATEAU_DEFAULTS.patience; i++) expect(s.onValidation(0.5 - PLATEAU_DEFAULTS.minDelta / 2)).toBe(false); // within min_delta: no improvement
    expect(s.onValidation(0.6)).toBe(true);
    expect(s.lrAt(0)).toBeCloseTo(1e-3 * Math.sqrt(0.1), 15);
    // Many more plateaus: the rate stops at the floor.
    for (let i = 0; i < 100; i++) s.onValidation(0.7);
    expect(s.lrAt(0)).toBe(PLATEAU_DEFAULTS.minLr);
  });

  it('state round-trips through JSON and the restored schedule continues identically', () => {
    const a = createSchedule('plateau', { lr: 1e-3, totalSteps: 10 });
    [1, 0.9, 0.95, 0.96].forEach((v) => a.onValidation(v));
    const b = scheduleFromState(JSON.parse(JSON.stringify(a.state())));
    for (const v of [0.97, 0.98, 0.99, 0.5, 0.6]) expect(b.onValidation(v)).toBe(a.onValidation(v));
    expect(b.state()).toEqual(a.state());
    const c = createSchedule('cosine', { lr: 3e-4, totalSteps: 77 });
    const d = scheduleFromState(JSON.parse(JSON.stringify(c.state())));
    for (let k = 0; k < 77; k++) expect(d.lrAt(k)).toBe(c.lrAt(k));
  });

  it('refuses damaged states and bad settings with specific messages', () => {
    expect(() => scheduleFromState({ kind: 'cosine', baseLr: -1, minLr: 0, warmupSteps: 0, totalSteps: 5 })).toThrow(/schedule state \(baseLr/);
    expect(() => scheduleFromState({ kind: 'step' })).toThrow(/invalid learning-rate schedule state/);
    expect(() => createSchedule('cosine', { lr: 0, totalSteps: 5 })).toThrow(/learning rate must be a positive number/);
    expect(() => createSchedule('plateau', { lr: 1e-3, totalSteps: 0 })).toThrow(/total steps must be a positive integer/);
    expect(() => createSchedule('plateau', { lr: 1e-3, totalSteps: 5 }).onValidation(NaN)).toThrow(/must be finite/);
  });

  it('a longer plan moves only a cosine horizon: the rate at a step is then the longer curve rate, not the old floor', () => {
    const short = createSchedule('cosine', { lr: 1e-3, totalSteps: 100 });
    const long = createSchedule('cosine', { lr: 1e-3, totalSteps: 200 });
    expect(short.lrAt(150)).toBeCloseTo(1e-5, 12); // past the old end: stuck at 1 %
    const moved = scheduleFromState(withHorizon(short.state(), 200));
    expect(moved.lrAt(150)).toBeGreaterThan(1e-4);
    // warm-up is not redone: it keeps the old one (5 steps), the rest is the 200-step curve
    expect(moved.state()).toEqual({ ...long.state(), warmupSteps: 5 });
    const plateau = createSchedule('plateau', { lr: 1e-3, totalSteps: 100 }).state();
    expect(withHorizon(plateau, 200)).toEqual(plateau);
    expect(() => withHorizon(plateau, 0)).toThrow(/total steps must be a positive integer, got 0/);
  });
});
