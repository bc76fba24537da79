import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { readHistory } from '../../src/engine/train/runs';
import { methods, readRunHistoryEntry, trainParams, type EventPayload, type MethodResult, type RunHistoryEntry } from '../../src/shared/contract';

const step: EventPayload<'train.step'> = { jobId: 'j', run: 'a', step: 1, epoch: 0, loss: 0.5, smoothedLoss: 0.5, lr: 1e-3, samplesPerSecond: 10, etaSeconds: null };
const checkpoint: EventPayload<'train.checkpoint'> = { jobId: 'j', run: 'a', step: 1, kind: 'last', path: '/runs/a/checkpoints/last' };

describe('contract: run history entries', () => {
  it('are a discriminated union: checking event narrows payload', () => {
    const e = readRunHistoryEntry({ event: 'train.step', payload: step });
    expectTypeOf(e).toEqualTypeOf<RunHistoryEntry | null>();
    if (e?.event === 'train.step') expectTypeOf(e.payload).toEqualTypeOf<EventPayload<'train.step'>>();
    if (e?.event === 'train.checkpoint') expectTypeOf(e.payload.kind).toEqualTypeOf<'last' | 'best'>();
    expectTypeOf<MethodResult<'runs.history'>['entries'][number]>().toEqualTypeOf<RunHistoryEntry>();
    expect(e).toEqual({ event: 'train.step', payload: step });
  });

  it('refuses entries that are not chart events with their payload schema', () => {
    expect(readRunHistoryEntry({ event: 'train.preview', payload: step })).toBeNull();
    expect(readRunHistoryEntry({ event: 'train.step', payload: { step: 1, loss: 0.5 } })).toBeNull();
    expect(readRunHistoryEntry({ event: 'train.checkpoint', payload: step })).toBeNull();
    expect(readRunHistoryEntry('train.step')).toBeNull();
  });

  it('runs.history answers are checked against the schema where they leave the engine', () => {
    const result = methods['runs.history'].result;
    expect(result.safeParse({ entries: [{ event: 'train.checkpoint', payload: checkpoint }] }).success).toBe(true);
    expect(result.safeParse({ entries: [{ event: 'train.checkpoint', payload: { step: 'one' } }] }).success).toBe(false);
  });
});

describe('engine: readHistory answers the contract run history', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('keeps valid chart events in order and skips lines that are not (damaged, foreign, torn)', async () => {
    const runDir = await mkdtemp(path.join(tmpdir(), 'run-history-'));
    dirs.push(runDir);
    const config = {
      format: 'deblur-studio/train-run',
      version: 1,
      params: trainParams.parse({ dataset: '/d', runsDir: path.dirname(runDir), run: 'a' }),
      createdAt: '2025-01-01T00:00:00.000Z',
      stepsPerEpoch: 1,
      totalSteps: 2,
      validateEvery: 1,
      dataset: { trainImages: 1, valImages: 1, levels: [3] },
      app: { version: '0', backend: 'cpu' },
    };
    await writeFile(path.join(runDir, 'config.json'), JSON.stringify(config));
    const lines = [
      { event: 'train.step', payload: step },
      { event: 'train.step', payload: { step: 2, loss: 'NaN' } },
      { event: 'train.preview', payload: step },
      { event: 'train.checkpoint', payload: checkpoint },
    ].map((l) => JSON.stringify(l));
    await writeFile(path.join(runDir, 'history.jsonl'), `${lines.join('\n')}\n{"event":"train.st`);
    expect(await readHistory(runDir)).toEqual([
      { event: 'train.step', payload: step },
      { event: 'train.checkpoint', payload: checkpoint },
    ]);
  });
});
