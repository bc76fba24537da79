/**
 * Hostile input: two trainings (train, or resume) aimed at the same run folder at once, and lock
 * files left behind by other processes, alive or dead.
 * Fault injected: a second job started while the first one trains; a lock file naming a live
 * process; a lock file naming a process that has exited (a crashed training).
 * What must hold: the second job is refused before it writes anything, with a message naming the run
 * and the pid that trains it; the first finishes with its own config and history only; a stale lock
 * is taken over and removed when the training ends.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainParams, type JobParamsInput } from '../../src/shared/contract';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { readHistoryFile } from '../../src/engine/train/history';
import { readRunConfig, RUN_LOCK_FILE } from '../../src/engine/train/run-dir';
import { resumeTraining, runTraining } from '../../src/engine/train/trainer';
import { makeTileDataset } from '../integration/train-helpers';

let dir: string;
let tiles: string;
const runsDir = () => path.join(dir, 'runs');
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'train-lock-'));
  tiles = await makeTileDataset(dir, { count: 8, side: 32, levels: [11], split: [0.75, 0.25, 0] });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const params = (run: string, extra: Partial<JobParamsInput<'train'>> = {}) =>
  trainParams.parse({ dataset: tiles, runsDir: runsDir(), run, model: 'resunet', preset: 'small', epochs: 1, batch: 2, patch: 16, stepsPerEpoch: 2, validateEvery: 2, ...extra });

/** A pid that existed and has exited (its process is gone). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

describe('one training per run folder', () => {
  it('refuses a second train and a resume of a run that is training, naming the run and the pid; the first run stays whole', async () => {
    let secondError: unknown = null;
    let resumeError: unknown = null;
    const first = await runTraining(params('dup', { seed: 1 }), createTestContext(), {
      onStart: async () => {
        // The first training holds the run now: a second one with other settings starts.
        secondError = await runTraining(params('dup', { seed: 2, lr: 1e-4 }), createTestContext()).then(() => null, (err: unknown) => err);
        resumeError = await resumeTraining({ runDir: path.join(runsDir(), 'dup') }, createTestContext()).then(() => null, (err: unknown) => err);
      },
    });
    expect(first.stopped).toBe('finished');
    const runDir = path.join(runsDir(), 'dup');
    for (const err of [secondError, resumeError]) {
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain(`the run "dup" in ${runDir} is being trained right now`);
      expect((err as Error).message).toContain(`pid ${process.pid}`);
    }
    // Config and history are the first run's only; the lock is gone after it.
    const config = await readRunConfig(runDir);
    expect(config.params.seed).toBe(1);
    expect(config.params.lr).toBe(1e-3);
    const steps = (await readHistoryFile(path.join(runDir, 'history.jsonl'))).filter((e) => e.event === 'train.step').map((e) => e.payload.step);
    expect(steps).toEqual([1, 2]);
    expect(await readdir(runDir)).not.toContain(RUN_LOCK_FILE);
  });

  it('refuses a run whose lock is held by another live process, and names that pid', async () => {
    const runDir = path.join(runsDir(), 'held');
    await mkdir(runDir, { recursive: true });
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      await writeFile(path.join(runDir, RUN_LOCK_FILE), JSON.stringify({ pid: other.pid, host: os.hostname(), since: new Date().toISOString() }));
      await expect(runTraining(params('held'), createTestContext())).rejects.toThrow(new RegExp(`the run "held" .* \\(pid ${other.pid}\\)`));
      expect(await readdir(runDir)).toEqual([RUN_LOCK_FILE]); // nothing written, the other's lock kept
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over the lock of a training that died (stale pid), trains, and removes the lock', async () => {
    const runDir = path.join(runsDir(), 'stale');
    await mkdir(runDir, { recursive: true });
    await writeFile(path.join(runDir, RUN_LOCK_FILE), JSON.stringify({ pid: await deadPid(), host: os.hostname(), since: '2020-01-01T00:00:00Z' }));
    const result = await runTraining(params('stale'), createTestContext());
    expect(result).toMatchObject({ runDir, steps: 2, stopped: 'finished' });
    expect(await readdir(runDir)).not.toContain(RUN_LOCK_FILE);
    // A bare pid (the format earlier prepare versions wrote) is understood too: resume takes over a dead one.
    await writeFile(path.join(runDir, RUN_LOCK_FILE), String(await deadPid()));
    await expect(resumeTraining({ runDir }, createTestContext())).resolves.toMatchObject({ runDir, steps: 2 });
    expect(JSON.parse(await readFile(path.join(runDir, 'config.json'), 'utf8')).params.run).toBe('stale');
  });

  it('a refused run leaves no empty folder behind', async () => {
    await expect(runTraining(params('nodata', { dataset: path.join(dir, 'missing') }), createTestContext())).rejects.toThrow(/holds no prepared data set/);
    expect(await readdir(runsDir())).not.toContain('nodata');
  });
});
