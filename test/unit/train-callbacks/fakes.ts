/** Fakes shared by the training callbacks' unit tests: a run's counters, an event recorder, a clock. */
import type { StepEnd } from '../../../src/engine/train/callbacks/callback';
import type { EmitTrainingEvent } from '../../../src/engine/train/callbacks/history';
import { freshCheckpointState, type CheckpointState } from '../../../src/engine/train/checkpoint-state';
import type { ValidationResult } from '../../../src/engine/train/validation';

export function freshState(over: Partial<CheckpointState> = {}): CheckpointState {
  return { ...freshCheckpointState(1e-3, { kind: 'constant', lr: 1e-3 }, '2026-01-01T00:00:00.000Z'), ...over };
}

export function recorder(): { emit: EmitTrainingEvent; events: Array<{ event: string; payload: Record<string, unknown> }> } {
  const events: Array<{ event: string; payload: Record<string, unknown> }> = [];
  return { events, emit: (event, payload) => events.push({ event, payload: payload as Record<string, unknown> }) };
}

/** A clock the test moves by hand (milliseconds). */
export function fakeClock(start = 0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

export function stepEnd(step: number, over: Partial<StepEnd> = {}): StepEnd {
  return { step, epoch: 1, loss: 0.5, lr: 1e-3, samples: 4, seconds: 0.5, validationDue: false, ...over };
}

export function validationResult(over: Partial<ValidationResult> = {}): ValidationResult {
  return { loss: 0.01, psnr: 30, ssim: 0.9, identityPsnr: 28, byLevel: [{ kernel: 11, psnr: 30, ssim: 0.9, identityPsnr: 28, identitySsim: 0.85 }], example: null, ...over };
}
