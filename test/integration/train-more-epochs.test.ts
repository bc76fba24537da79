/**
 * "Train N more epochs" on a finished run: resume with a new `epochs` (the run's new length, counted from its
 * start). The step count, data order, optimizer and cosine schedule continue where the run stopped (the cosine's
 * horizon moves to the new end); the CLI takes `--resume DIR --epochs N`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainParams, type JobParamsInput } from '../../src/shared/contract';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { readCheckpointState } from '../../src/engine/train/checkpoint-state';
import { readRunConfig } from '../../src/engine/train/run-dir';
import { listRuns } from '../../src/engine/train/runs';
import { resumeTraining, runTraining } from '../../src/engine/train/trainer';
import { makeTileDataset } from './train-helpers';

let dir: string;
let tiles: string;
const runsDir = () => path.join(dir, 'runs');
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'train-more-epochs-'));
  tiles = await makeTileDataset(dir, { count: 8, levels: [11] });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const input = (run: string, epochs: number): JobParamsInput<'train'> => ({
  dataset: tiles,
  runsDir: runsDir(),
  run,
  model: 'resunet',
  preset: 'small',
  epochs,
  batch: 2,
  patch: 16,
  stepsPerEpoch: 3,
  validateEvery: 3,
  lr: 1e-3,
  schedule: 'cosine',
});

const lastCheckpoint = async (runDir: string) => ({ state: await readCheckpointState(path.join(runDir, 'checkpoints', 'last')) });

describe('resume with more epochs', () => {
  it('continues a finished run from its step to the new length, as a run planned that long would', async () => {
    const straight = await runTraining(trainParams.parse(input('straight', 2)), createTestContext());
    expect(straight).toMatchObject({ steps: 6, stopped: 'finished' });

    const short = await runTraining(trainParams.parse(input('short', 1)), createTestContext());
    expect(short).toMatchObject({ steps: 3, stopped: 'finished' });
    const steps: number[] = [];
    const more = await resumeTraining({ runDir: short.runDir, epochs: 2 }, createTestContext(), { onBatch: (_b, step) => steps.push(step) });
    expect(more).toMatchObject({ steps: 6, stopped: 'finished' });
    expect(steps).toEqual([3, 4, 5]); // 0-based: the run goes on from step 3, it does not restart

    const config = await readRunConfig(short.runDir);
    expect(config.totalSteps).toBe(6);
    expect(config.params.epochs).toBe(2);
    // the cosine's horizon moved to the new end: the schedule state and the last rate are the two-epoch run's
    // (its weights differ: its first epoch ran on the longer curve), not the floor the one-epoch curve ended at
    const a = (await lastCheckpoint(straight.runDir)).state;
    const b = (await lastCheckpoint(short.runDir)).state;
    expect(b.schedule).toEqual(a.schedule);
    expect(b.lr).toBe(a.lr);
    expect(b.samplesSeen).toBe(a.samplesSeen);

    const listed = (await listRuns(runsDir())).find((r) => r.name === 'short');
    expect(listed).toMatchObject({ step: 6, totalSteps: 6, epochs: 2 });
  });

  it('refuses a length shorter than what the run has trained, naming epochs, and leaves the run as it was', async () => {
    const run = await runTraining(trainParams.parse(input('refused', 2)), createTestContext());
    const before = await readFile(path.join(run.runDir, 'config.json'), 'utf8');
    await expect(resumeTraining({ runDir: run.runDir, epochs: 1 }, createTestContext())).rejects.toThrow(/^epochs: the run refused has already trained 6 steps \(2 epochs of 3\).*at least 2/);
    expect(await readFile(path.join(run.runDir, 'config.json'), 'utf8')).toBe(before);
  });
});

describe('CLI train --resume --epochs', () => {
  const bin = path.resolve('bin/deblur-studio.mjs');
  const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 240_000, cwd: dir });

  it('trains one epoch, then a second one continuing the step count', () => {
    const first = cli('train', tiles, '--run', 'cli', '--runs-dir', runsDir(), '--epochs', '1', '--steps-per-epoch', '2', '--batch', '2', '--patch', '16');
    expect(first.stderr).not.toMatch(/deblur-studio: /);
    expect(first.stdout).toMatch(/: 2 steps, .*finished/);
    const more = cli('train', '--resume', path.join(runsDir(), 'cli'), '--epochs', '2');
    expect(more.stderr).not.toMatch(/deblur-studio: /);
    expect(more.status).toBe(0);
    expect(more.stdout).toMatch(/: 4 steps, .*finished/);
  });

  it('checks --epochs by its flag and still refuses the settings it would ignore', () => {
    const zero = cli('train', '--resume', path.join(runsDir(), 'cli'), '--epochs', '0');
    expect(zero.status).toBe(1);
    expect(zero.stderr).toMatch(/deblur-studio: --epochs: Too small/);
    const batch = cli('train', '--resume', path.join(runsDir(), 'cli'), '--epochs', '3', '--batch', '4');
    expect(batch.status).toBe(1);
    expect(batch.stderr).toMatch(/--resume takes only the run folder and --epochs.*\(drop --batch\)/);
  });
});
