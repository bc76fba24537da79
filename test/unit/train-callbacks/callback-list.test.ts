import { describe, expect, it } from 'vitest';
import { CallbackList, type TrainingCallback } from '../../../src/engine/train/callbacks/callback';
import { stepEnd } from './fakes';

describe('CallbackList', () => {
  it('calls each hook in the callbacks\' order, awaiting one before the next, and skips hooks a callback lacks', async () => {
    const calls: string[] = [];
    const slow: TrainingCallback = {
      onTrainBegin: async () => {
        await new Promise((r) => setTimeout(r, 5));
        calls.push('a.begin');
      },
      onStepEnd: async (s) => {
        await new Promise((r) => setTimeout(r, 5));
        calls.push(`a.step${s.step}`);
      },
    };
    const quick: TrainingCallback = {
      onTrainBegin: () => void calls.push('b.begin'),
      onStepEnd: (s) => void calls.push(`b.step${s.step}`),
      onValidation: (v) => void calls.push(`b.val${v.step}`),
      onTrainEnd: (end) => void calls.push(`b.end:${end}`),
    };
    const list = new CallbackList([slow, quick]);
    await list.onTrainBegin();
    await list.onStepEnd(stepEnd(1));
    await list.onValidation({ step: 1, result: null, improved: false, seconds: 0 });
    await list.onTrainEnd('stopped');
    expect(calls).toEqual(['a.begin', 'b.begin', 'a.step1', 'b.step1', 'b.val1', 'b.end:stopped']);
  });

  it('stops at a callback that throws: the later ones do not run', async () => {
    const calls: string[] = [];
    const list = new CallbackList([
      { onStepEnd: () => { throw new Error('disk full'); } },
      { onStepEnd: () => void calls.push('after') },
    ]);
    await expect(list.onStepEnd(stepEnd(1))).rejects.toThrow('disk full');
    expect(calls).toEqual([]);
  });
});
