import { z } from 'zod';
import { firstIssue } from '../../shared/contract';

/**
 * Learning-rate schedules. Each one's whole state is a small JSON object (saved in every
 * checkpoint), so a resumed run continues with exactly the rate it would have had.
 */
export type ScheduleName = 'plateau' | 'cosine' | 'constant';

/**
 * ReduceLROnPlateau as the seed trained with (the Keras example autoencoders' settings):
 * multiply the rate by √0.1 after 5 validations without an improvement of the validation loss
 * by more than 1e-4, never below 0.5e-6. Same rule as Keras (absolute min_delta, no cooldown).
 */
export const PLATEAU_DEFAULTS = { factor: Math.sqrt(0.1), patience: 5, minLr: 0.5e-6, minDelta: 1e-4 } as const;

/** Cosine: linear warm-up over 5 % of the steps (at most 1000), then a half cosine down to 1 % of the rate. */
export const COSINE_DEFAULTS = { warmupFraction: 0.05, maxWarmupSteps: 1000, finalFraction: 0.01 } as const;

const positive = z.number().positive().finite();
const nonNegativeInt = z.number().int().nonnegative();

export const scheduleStateSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant'), lr: positive }),
  z.strictObject({ kind: z.literal('cosine'), baseLr: positive, minLr: z.number().nonnegative(), warmupSteps: nonNegativeInt, totalSteps: z.number().int().positive() }),
  z.strictObject({
    kind: z.literal('plateau'),
    lr: positive,
    factor: z.number().gt(0).lt(1),
    patience: nonNegativeInt,
    minLr: z.number().nonnegative(),
    minDelta: z.number().nonnegative(),
    /** lowest validation loss so far; null before the first validation */
    best: z.number().nullable(),
    /** validations since `best` last improved */
    wait: nonNegativeInt,
  }),
]);
export type ScheduleState = z.infer<typeof scheduleStateSchema>;

export interface LrSchedule {
  /** The rate for the step with 0-based index `step`. */
  lrAt(step: number): number;
  /** Reports a validation loss; returns true when the rate was reduced. */
  onValidation(valLoss: number): boolean;
  /** A copy of the state, to save and pass to scheduleFromState. */
  state(): ScheduleState;
}

export function createSchedule(name: ScheduleName, opts: { lr: number; totalSteps: number }): LrSchedule {
  const { lr, totalSteps } = opts;
  if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`learning rate must be a positive number, got ${lr}`);
  if (!Number.isInteger(totalSteps) || totalSteps < 1) throw new Error(`total steps must be a positive integer, got ${totalSteps}`);
  switch (name) {
    case 'constant':
      return scheduleFromState({ kind: 'constant', lr });
    case 'cosine':
      return scheduleFromState({
        kind: 'cosine',
        baseLr: lr,
        minLr: lr * COSINE_DEFAULTS.finalFraction,
        warmupSteps: Math.min(COSINE_DEFAULTS.maxWarmupSteps, Math.round(totalSteps * COSINE_DEFAULTS.warmupFraction)),
        totalSteps,
      });
    case 'plateau':
      return scheduleFromState({ kind: 'plateau', lr, ...PLATEAU_DEFAULTS, minLr: Math.min(PLATEAU_DEFAULTS.minLr, lr), best: null, wait: 0 });
    default:
      throw new Error(`unknown schedule "${String(name)}"; available: plateau, cosine, constant`);
  }
}

/**
 * The state for a run whose plan is now `totalSteps` long ("train N more epochs"): a cosine's horizon moves there, so
 * the rate follows the curve a run planned that long would have (it does not sit at its floor, nor start a new
 * warm-up); the other schedules do not depend on the run's length.
 */
export function withHorizon(state: ScheduleState, totalSteps: number): ScheduleState {
  if (!Number.isInteger(totalSteps) || totalSteps < 1) throw new Error(`total steps must be a positive integer, got ${totalSteps}`);
  return state.kind === 'cosine' ? { ...state, totalSteps } : { ...state };
}

/** Rebuilds a schedule from a saved state; throws a specific error for a damaged one. */
export function scheduleFromState(saved: unknown): LrSchedule {
  const parsed = scheduleStateSchema.safeParse(saved);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error, 'state');
    throw new Error(`invalid learning-rate schedule state${issue ? ` (${issue})` : ''}`);
  }
  const state = parsed.data;
  switch (state.kind) {
    case 'constant':
      return { lrAt: () => state.lr, onValidation: () => false, state: () => ({ ...state }) };
    case 'cosine':
      return { lrAt: (step) => cosineLr(state, step), onValidation: () => false, state: () => ({ ...state }) };
    case 'plateau':
      return plateauSchedule(state);
  }
}

function cosineLr(s: Extract<ScheduleState, { kind: 'cosine' }>, step: number): number {
  // Warm-up lets Adam's second-moment estimate settle before full-size steps.
  if (step < s.warmupSteps) return (s.baseLr * (step + 1)) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  return s.minLr + (s.baseLr - s.minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

function plateauSchedule(initial: Extract<ScheduleState, { kind: 'plateau' }>): LrSchedule {
  const s = { ...initial };
  return {
    lrAt: () => s.lr,
    onValidation(valLoss) {
      if (!Number.isFinite(valLoss)) throw new Error(`plateau schedule: validation loss must be finite, got ${valLoss}`);
      if (s.best === null || valLoss < s.best - s.minDelta) {
        s.best = valLoss;
        s.wait = 0;
        return false;
      }
      s.wait += 1;
      if (s.wait < s.patience || s.lr <= s.minLr) return false;
      s.lr = Math.max(s.lr * s.factor, s.minLr);
      s.wait = 0;
      return true;
    },
    state: () => ({ ...s }),
  };
}
