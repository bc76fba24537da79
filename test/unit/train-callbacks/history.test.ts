import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryCallback } from '../../../src/engine/train/callbacks/history';
import { HistoryWriter, readHistoryFile } from '../../../src/engine/train/history';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'train-callback-history-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const step = { jobId: 'j', run: 'r', step: 1, epoch: 1, loss: 0.5, smoothedLoss: 0.5, lr: 1e-3, samplesPerSecond: 4, etaSeconds: null };
const checkpoint = { jobId: 'j', run: 'r', step: 1, kind: 'last' as const, path: '/runs/r/checkpoints/last' };
const preview = { jobId: 'j', run: 'r', step: 1, blurred: 'data:image/png;base64,AA==', output: 'data:image/png;base64,AA==', sharp: 'data:image/png;base64,AA==' };

describe('HistoryCallback', () => {
  it('sends every event and records the chart events, not previews, in history.jsonl, on disk by the end of the session', async () => {
    const file = path.join(dir, 'history.jsonl');
    const sent: string[] = [];
    const history = new HistoryCallback(await HistoryWriter.open(file), (event) => sent.push(event));
    history.emit('train.step', step);
    history.emit('train.preview', preview);
    history.emit('train.checkpoint', checkpoint);
    await history.onTrainEnd();
    expect(sent).toEqual(['train.step', 'train.preview', 'train.checkpoint']);
    expect(await readHistoryFile(file)).toEqual([
      { event: 'train.step', payload: step },
      { event: 'train.checkpoint', payload: checkpoint },
    ]);
    await history.close();
    expect(() => history.emit('train.step', step)).toThrow(`history ${file} is closed`);
  });
});
