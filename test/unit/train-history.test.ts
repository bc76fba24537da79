import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryWriter, readHistoryFile, rewriteHistory, type HistoryEntry } from '../../src/engine/train/history';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'train-history-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const step = (n: number): HistoryEntry => ({ event: 'train.step', payload: { step: n, loss: 1 / n } });

describe('run history (history.jsonl)', () => {
  it('appends whole lines and reads them back in order', async () => {
    const file = path.join(dir, 'a.jsonl');
    const w = await HistoryWriter.open(file);
    for (let i = 1; i <= 100; i++) w.append(step(i));
    w.append({ event: 'train.validation', payload: { step: 100, psnr: 30 } });
    await w.close();
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(102);
    const entries = await readHistoryFile(file);
    expect(entries).toHaveLength(101);
    expect(entries[0]).toEqual(step(1));
    expect(entries[100]).toEqual({ event: 'train.validation', payload: { step: 100, psnr: 30 } });
  });

  it('skips a torn last line (a kill in the middle of a write) and junk lines', async () => {
    const file = path.join(dir, 'b.jsonl');
    const lines = [step(1), step(2)].map((e) => JSON.stringify(e)).join('\n');
    await writeFile(file, `${lines}\nnot json\n{"event":"other","payload":{}}\n${JSON.stringify(step(3)).slice(0, 17)}`);
    expect(await readHistoryFile(file)).toEqual([step(1), step(2)]);
    expect(await readHistoryFile(path.join(dir, 'missing.jsonl'))).toEqual([]);
  });

  it('rewrite keeps the chosen entries and removes the torn line, so appends after it stay readable', async () => {
    const file = path.join(dir, 'c.jsonl');
    await writeFile(file, `${[1, 2, 3, 4].map((n) => JSON.stringify(step(n))).join('\n')}\n{"event":"train.st`);
    expect(await rewriteHistory(file, (e) => (e.payload.step as number) <= 2)).toBe(2);
    await appendFile(file, `${JSON.stringify(step(3))}\n`);
    expect(await readHistoryFile(file)).toEqual([step(1), step(2), step(3)]);
  });

  it('flush() resolves only when the lines are in the file', async () => {
    const file = path.join(dir, 'd.jsonl');
    const w = await HistoryWriter.open(file);
    w.append(step(1));
    await w.flush();
    expect(await readHistoryFile(file)).toEqual([step(1)]);
    await w.close();
    expect(() => w.append(step(2))).toThrow(/is closed/);
  });
});
