import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../../src/engine/models/tf';
import { selectRuntime } from '../../../src/engine/runtime/select';
import { Adam, trainableWeightsOf } from '../../../src/engine/train/adam';
import { CheckpointCallback, type CheckpointOptions } from '../../../src/engine/train/callbacks/checkpoint';
import { loadCheckpoint } from '../../../src/engine/train/checkpoint';
import { fakeClock, freshState, recorder, stepEnd } from './fakes';

const metadata = { model: 'seed-autoencoder', preset: 'small', inputConstraint: { multipleOf: 1 }, run: 'r' };

/** Saves recorded instead of written: each entry is the step saved and the kind. */
function fakeSaves() {
  const saves: string[] = [];
  const save: NonNullable<CheckpointOptions['save']> = {
    snapshot: async () => ({}) as Awaited<ReturnType<NonNullable<CheckpointOptions['save']>['snapshot']>>,
    last: async (runDir, kind, content) => {
      saves.push(`${kind}@${content.state.step}`);
      return path.join(runDir, 'checkpoints', kind);
    },
    copy: async (runDir, from, to) => {
      saves.push(`${from}→${to}`);
      return path.join(runDir, 'checkpoints', to);
    },
  };
  return { saves, save };
}

function setup(over: Partial<CheckpointOptions> = {}) {
  const state = freshState();
  const { emit, events } = recorder();
  const clock = fakeClock();
  const { saves, save } = fakeSaves();
  const checkpoint = new CheckpointCallback({
    jobId: 'j1',
    run: 'r',
    runDir: '/runs/r',
    model: {} as tf.LayersModel,
    adam: {} as Adam,
    state,
    metadata,
    emit,
    savedStep: null,
    save,
    now: clock.now,
    intervalMs: 1000,
    ...over,
  });
  return { state, events, clock, saves, checkpoint };
}

describe('CheckpointCallback (fake saves)', () => {
  it('saves last after every validation and copies it to best when the validation improved', async () => {
    const { state, events, saves, checkpoint } = setup();
    state.step = 5;
    await checkpoint.onValidation({ step: 5, result: null, improved: false, seconds: 0 });
    state.step = 10;
    await checkpoint.onValidation({ step: 10, result: null, improved: true, seconds: 0 });
    expect(saves).toEqual(['last@5', 'last@10', 'last→best']);
    expect(events.map((e) => [e.event, e.payload.kind, e.payload.step, e.payload.path])).toEqual([
      ['train.checkpoint', 'last', 5, '/runs/r/checkpoints/last'],
      ['train.checkpoint', 'last', 10, '/runs/r/checkpoints/last'],
      ['train.checkpoint', 'best', 10, '/runs/r/checkpoints/best'],
    ]);
    expect(checkpoint.savedStep).toBe(10);
  });

  it('saves last between validations once the interval has passed without a save, never at a step that validates', async () => {
    const { state, clock, saves, checkpoint } = setup();
    state.step = 1;
    await checkpoint.onStepEnd(stepEnd(1));
    clock.advance(1000);
    state.step = 2;
    await checkpoint.onStepEnd(stepEnd(2, { validationDue: true })); // the validation saves
    state.step = 3;
    await checkpoint.onStepEnd(stepEnd(3));
    clock.advance(999);
    state.step = 4;
    await checkpoint.onStepEnd(stepEnd(4));
    clock.advance(1);
    state.step = 5;
    await checkpoint.onStepEnd(stepEnd(5));
    expect(saves).toEqual(['last@3', 'last@5']);
  });

  it('saves last at the end unless that step is already on disk (a resumed run that had finished)', async () => {
    const resumed = setup({ savedStep: 8 });
    resumed.state.step = 8;
    await resumed.checkpoint.onTrainEnd();
    expect(resumed.saves).toEqual([]);
    expect(resumed.checkpoint.savedStep).toBe(8);

    const stopped = setup();
    stopped.state.step = 3;
    await stopped.checkpoint.onTrainEnd();
    await stopped.checkpoint.onTrainEnd();
    expect(stopped.saves).toEqual(['last@3']);
    expect(stopped.state.savedAt).not.toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('CheckpointCallback (real files)', () => {
  let dir: string;
  beforeAll(async () => {
    await selectRuntime();
    dir = await mkdtemp(path.join(os.tmpdir(), 'train-callback-checkpoint-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a checkpoint that loads back with its step, state and weights', async () => {
    const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [4, 4, 3], filters: 3, kernelSize: 1 })] });
    const adam = new Adam(trainableWeightsOf(model));
    try {
      const state = freshState({ step: 2, samplesSeen: 8, bestPsnr: 25, bestStep: 2 });
      const { emit } = recorder();
      const checkpoint = new CheckpointCallback({ jobId: 'j1', run: 'r', runDir: dir, model, adam, state, metadata, emit, savedStep: null });
      await checkpoint.onValidation({ step: 2, result: null, improved: true, seconds: 0 });
      for (const kind of ['last', 'best'] as const) {
        const loaded = await loadCheckpoint(dir, kind);
        try {
          expect(loaded.state).toMatchObject({ step: 2, samplesSeen: 8, bestPsnr: 25 });
          const [want, got] = [model.getWeights()[0]!.dataSync(), loaded.model.getWeights()[0]!.dataSync()];
          expect(Array.from(got)).toEqual(Array.from(want));
        } finally {
          loaded.model.dispose();
        }
      }
    } finally {
      adam.dispose();
      model.dispose();
    }
  });
});
