import { describe, expect, it } from 'vitest';
import { ptCheckpointSchema } from '../../src/engine/import/pytorch/checkpoint-content';
import { checkpointStateSchema, freshCheckpointState } from '../../src/engine/train/checkpoint-state';

// train.py's .pt checkpoints and the app's state.json carry the same run counters: one declaration
// (trainCountersShape) keeps a field added to one from being lost on import or export.
describe('checkpoint counters', () => {
  const state = { step: 7, samplesSeen: 56, data: { epoch: 0, batch: 7 }, smoothedLoss: 0.01, lr: 1e-3, schedule: { kind: 'constant', lr: 1e-3 }, bestPsnr: null, bestStep: null, lastValidation: null, trainSeconds: 3 };

  it('the .pt state is the app state without its stamp, plus train.py target step', () => {
    const ptKeys = Object.keys(ptCheckpointSchema.shape.state.shape).filter((k) => k !== 'targetStep');
    const appKeys = Object.keys(checkpointStateSchema.shape).filter((k) => !['format', 'version', 'savedAt'].includes(k));
    expect(ptKeys).toEqual(appKeys);
  });

  it('both read the same counters and refuse the same bad one, naming it', () => {
    const stamped = { format: 'deblur-studio/train-checkpoint', version: 1, ...state, savedAt: '2026-01-01T00:00:00Z' };
    expect(checkpointStateSchema.parse(stamped)).toEqual(stamped);
    expect(ptCheckpointSchema.shape.state.parse({ ...state, targetStep: 9 })).toEqual({ ...state, targetStep: 9 });
    const bad = { ...state, data: { epoch: -1, batch: 0 } };
    expect(checkpointStateSchema.safeParse({ ...stamped, ...bad }).error?.issues[0]?.path).toEqual(['data', 'epoch']);
    expect(ptCheckpointSchema.shape.state.safeParse(bad).error?.issues[0]?.path).toEqual(['data', 'epoch']);
  });

  it('a fresh state is a valid state.json at step 0 with the given rate and schedule', () => {
    const fresh = freshCheckpointState(2e-4, { kind: 'constant', lr: 2e-4 }, '2026-01-01T00:00:00Z');
    expect(checkpointStateSchema.parse(fresh)).toEqual(fresh);
    expect(fresh).toMatchObject({ step: 0, samplesSeen: 0, lr: 2e-4, bestPsnr: null, trainSeconds: 0 });
  });
});
