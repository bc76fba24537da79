import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainParams, type EventPayload, type JobParamsInput } from '../../src/shared/contract';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { loadCheckpoint, readCheckpointState } from '../../src/engine/train/checkpoint';
import { readHistoryFile } from '../../src/engine/train/history';
import { readAdamState, snapshotAdam, type AdamState } from '../../src/engine/train/optimizer-state';
import { resumeTraining, runTraining } from '../../src/engine/train/trainer';
import { eventsOf, makeTileDataset } from './train-helpers';

let dir: string;
let tiles: string;
const runsDir = () => path.join(dir, 'runs');
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'train-resume-'));
  tiles = await makeTileDataset(dir, { count: 24, levels: [11] });
});
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const input = (run: string, extra: Partial<JobParamsInput<'train'>> = {}): JobParamsInput<'train'> => ({
  dataset: tiles,
  runsDir: runsDir(),
  run,
  model: 'resunet',
  preset: 'small',
  epochs: 2,
  batch: 2,
  patch: 16,
  stepsPerEpoch: 4,
  validateEvery: 2,
  lr: 1e-3,
  ...extra,
});

const checkpointFiles = async (runDir: string) => {
  const last = path.join(runDir, 'checkpoints', 'last');
  const state = await readCheckpointState(last);
  return {
    weights: await readFile(path.join(last, 'weights.bin')),
    optimizer: await readFile(path.join(last, 'optimizer.bin')),
    state: { ...state, savedAt: null, trainSeconds: null },
  };
};

/** A run in a child process (the real trainer under tsx) that reports its steps and saves on stdout. */
async function startChild(params: JobParamsInput<'train'>, crashAtSave = 0) {
  const src = (p: string) => pathToFileURL(path.resolve('src', p)).href;
  const script = path.join(dir, `child-${params.run}.mts`);
  await writeFile(
    script,
    `import { trainParams } from '${src('shared/contract/index.ts')}';
import { createTestContext } from '${src('engine/jobs/job-context.ts')}';
import { checkpointHooks } from '${src('engine/train/checkpoint.ts')}';
import { runTraining } from '${src('engine/train/trainer.ts')}';
let saves = 0;
checkpointHooks.beforeSwap = () => {
  saves += 1;
  if (saves === ${crashAtSave}) process.kill(process.pid, 'SIGKILL');
};
const ctx = createTestContext();
ctx.emit = (event, payload) => process.stdout.write(JSON.stringify({ event, step: payload.step, kind: payload.kind }) + '\\n');
await runTraining(trainParams.parse(${JSON.stringify(params)}), ctx);
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  const lines = createInterface({ input: child.stdout });
  /** Resolves with the first reported event that satisfies `pred`. */
  const waitFor = (pred: (e: { event: string; step: number; kind?: string }) => boolean) =>
    new Promise<{ event: string; step: number }>((resolve, reject) => {
      lines.on('line', (line) => {
        const e = JSON.parse(line) as { event: string; step: number; kind?: string };
        if (pred(e)) resolve(e);
      });
      void exited.then((x) => reject(new Error(`the child exited (${x.code ?? x.signal}) first: ${x.stderr.slice(-2000)}`)));
    });
  return { child, exited, waitFor };
}

describe('stop and resume', () => {
  it('a run stopped and resumed ends bit-identical to an uninterrupted one', async () => {
    const straight = await runTraining(trainParams.parse(input('straight', { validateEvery: 4 })), createTestContext());
    expect(straight).toMatchObject({ steps: 8, stopped: 'finished' });

    const controller = new AbortController();
    const first = createTestContext(controller.signal);
    const stopped = await runTraining(trainParams.parse(input('interrupted', { validateEvery: 4 })), first, {
      onBatch: (_b, step) => {
        if (step === 2) controller.abort(); // Stop pressed during step 3: the step finishes, then the run saves and ends
      },
    });
    const runDir = path.join(runsDir(), 'interrupted');
    expect(stopped).toEqual({ runDir, steps: 3, bestPsnr: null, stopped: 'stopped' });
    expect(eventsOf<EventPayload<'train.checkpoint'>>(first, 'train.checkpoint').map((c) => [c.kind, c.step])).toEqual([['last', 3]]);

    const second = createTestContext();
    const firstSteps: number[] = [];
    const resumed = await resumeTraining({ runDir }, second, { onBatch: (_b, step) => firstSteps.push(step) });
    expect(resumed).toMatchObject({ runDir, steps: 8, stopped: 'finished' });
    expect(firstSteps[0]).toBe(3);

    const a = await checkpointFiles(path.join(runsDir(), 'straight'));
    const b = await checkpointFiles(runDir);
    expect(b.state).toEqual(a.state);
    expect(b.optimizer.equals(a.optimizer)).toBe(true);
    expect(b.weights.equals(a.weights)).toBe(true);

    // The history holds each step once, in order, across both sessions.
    const steps = (await readHistoryFile(path.join(runDir, 'history.jsonl'))).filter((e) => e.event === 'train.validation').map((e) => e.payload.step);
    expect(steps).toEqual([4, 8]);
  }, 240_000);

  it('after kill -9 during training, resume restores the saved step and identical optimizer moments', async () => {
    const { child, exited, waitFor } = await startChild(input('killed', { epochs: 200, validateEvery: 3 }));
    const saved = await waitFor((e) => e.event === 'train.checkpoint' && e.step >= 3);
    await waitFor((e) => e.event === 'train.step' && e.step > saved.step);
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');

    const runDir = path.join(runsDir(), 'killed');
    const lastDir = path.join(runDir, 'checkpoints', 'last');
    const onDisk = await readCheckpointState(lastDir);
    expect(onDisk.step % 3).toBe(0);
    expect(onDisk.step).toBeGreaterThanOrEqual(3);
    const savedOptimizer = await readAdamState(lastDir);
    expect(savedOptimizer.iterations).toBe(onDisk.step);

    const controller = new AbortController();
    let restored: AdamState | null = null;
    let startStep = -1;
    const result = await resumeTraining({ runDir }, createTestContext(controller.signal), {
      onStart: async (s) => {
        restored = await snapshotAdam(s.adam, s.state.lr);
        startStep = s.state.step;
      },
      onBatch: (_b, step) => {
        if (step === onDisk.step + 1) controller.abort();
      },
    });
    expect(startStep).toBe(onDisk.step);
    expect(restored).toEqual(savedOptimizer);
    expect(result).toMatchObject({ steps: onDisk.step + 2, stopped: 'stopped' });
    // Steps logged after the checkpoint by the killed process were dropped: each step appears once.
    const logged = (await readHistoryFile(path.join(runDir, 'history.jsonl'))).filter((e) => e.event === 'train.step').map((e) => e.payload.step as number);
    expect(logged).toEqual([...new Set(logged)].sort((x, y) => x - y));
  }, 240_000);

  it('a kill in the middle of a checkpoint write leaves the previous checkpoint loadable', async () => {
    // The second save dies after its temp folder is complete, before the swap.
    const { exited } = await startChild(input('crash-in-save', { epochs: 1 }), 2);
    expect((await exited).signal).toBe('SIGKILL');
    const runDir = path.join(runsDir(), 'crash-in-save');
    const leftovers = (await readdir(path.join(runDir, 'checkpoints'))).filter((e) => e.includes('.tmp-'));
    expect(leftovers.length).toBeGreaterThan(0);

    const loaded = await loadCheckpoint(runDir, 'last');
    expect(loaded.state.step).toBe(2);
    expect(loaded.optimizer.iterations).toBe(2);
    loaded.model.dispose();
    expect((await readdir(path.join(runDir, 'checkpoints'))).filter((e) => e.includes('.tmp-'))).toEqual([]);

    // A kill between the two renames of the swap leaves `last` moved aside: loading puts it back.
    await rename(path.join(runDir, 'checkpoints', 'last'), path.join(runDir, 'checkpoints', 'last.old-999999-abcd'));
    const recovered = await loadCheckpoint(runDir, 'last');
    expect(recovered.state.step).toBe(2);
    recovered.model.dispose();

    const resumed = await resumeTraining({ runDir }, createTestContext());
    expect(resumed).toMatchObject({ steps: 4, stopped: 'finished' });
  }, 240_000);
});
