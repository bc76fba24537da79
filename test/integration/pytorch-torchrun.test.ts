/**
 * The cluster path end to end, on this machine's CPUs: a run trained by the app is exported, torchrun trains
 * it on with DDP (gloo) as two processes and as two "nodes" on loopback (c10d rendezvous on 127.0.0.1, two
 * processes each), and the checkpoint comes back as a run the app evaluates to the PSNR PyTorch measured.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateParams, trainParams } from '../../src/shared/contract';
import { parseEval } from '../../src/engine/evaluate/eval-schema';
import { runEvaluate } from '../../src/engine/evaluate/run-evaluate';
import { runExportPytorch } from '../../src/engine/export/pytorch/export-folder';
import { runImportPytorch } from '../../src/engine/import/pytorch/import-run';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { loadCheckpoint } from '../../src/engine/train/checkpoint';
import { Adam, trainableWeightsOf } from '../../src/engine/train/adam';
import { restoreAdam } from '../../src/engine/train/optimizer-state';
import { readHistory } from '../../src/engine/train/runs';
import { runTraining } from '../../src/engine/train/trainer';
import { PYTHON, TORCHRUN, torchMissing } from '../helpers/torch';
import { makeTileDataset } from './train-helpers';

const missing = torchMissing();
let dir: string;
let data: string;
let exported: string;

interface Launch {
  code: number | null;
  out: string;
  err: string;
  timedOut: boolean;
}
/** A 30-step launch takes 20–60 s here; past this (or DEBLUR_TORCHRUN_LIMIT_MS, to check this path), it is taken as hung. */
const LAUNCH_LIMIT_MS = Number(process.env.DEBLUR_TORCHRUN_LIMIT_MS ?? 150_000);
/** Runs a command in its own process group; one that outlives LAUNCH_LIMIT_MS is killed with all its workers. */
function launch(cmd: string, args: string[], cwd: string): Promise<Launch> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, OMP_NUM_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, LAUNCH_LIMIT_MS);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, timedOut });
    });
  });
}

/** A launch killed at LAUNCH_LIMIT_MS failed: say so with what it printed, rather than as a bare exit status. */
function expectExited(r: Launch, what: string): void {
  if (r.timedOut) expect.fail(`${what} did not exit within ${LAUNCH_LIMIT_MS / 1000} s and was killed. Its output:\n${(r.out + r.err).slice(-4000)}`);
  expect(r.code, r.err).toBe(0);
}
// torchrun --tee prefixes each line with its worker ("[default0]:").
// Lines of two nodes' tee'd workers can interleave: what does not parse is not one of rank 0's lines.
const jsonLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/^\[[\w-]+\]:/, ''))
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
/**
 * The losses of torch's steps, from the history rank 0 writes to --out (after the app's own 2 steps). Not from
 * torchrun's tee'd stdout: torchrun tails the workers' log files and can miss the last lines when they exit.
 */
async function torchSteps(ck: string): Promise<Array<{ step: number; loss: number }>> {
  const lines = jsonLines(await readFile(path.join(ck, 'history.jsonl'), 'utf8'));
  return lines
    .filter((l) => l.event === 'train.step')
    .map((l) => l.payload as { step: number; loss: number })
    .filter((p) => p.step > 2);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
/**
 * Debian 12's torchrun (PyTorch 1.13 on Python 3.11) cannot map its default "no redirection" setting (an
 * IntFlag zero that Python 3.11 no longer iterates) and stops with "'NoneType' object has no attribute 'get'";
 * any explicit redirection works around it.
 */
const torchrunFix = (logs: string) => ['--redirects', '1', '--tee', '1', '--log_dir', logs];
const trainArgs = (out: string) => [path.join(exported, 'train.py'), '--data', data, '--steps', '30', '--out', out, '--threads', '1', '--validate-every', '15'];

beforeAll(async () => {
  if (missing) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'pytorch-torchrun-'));
  data = await makeTileDataset(dir, { count: 8, levels: [11], split: [0.5, 0.25, 0.25] });
  // A short app run (2 steps), so the export carries Adam's state, the schedule and a history.
  const run = trainParams.parse({ dataset: data, runsDir: path.join(dir, 'runs'), run: 'app', epochs: 1, stepsPerEpoch: 2, validateEvery: 2, batch: 4, patch: 32, lr: 2e-3, schedule: 'constant', loss: 'mse' });
  await runTraining(run, createTestContext());
  exported = path.join(dir, 'export');
  await runExportPytorch({ model: path.join(dir, 'runs', 'app'), out: exported }, createTestContext());
}, 120_000);
afterAll(() => (dir && !process.env.KEEP_TMP ? rm(dir, { recursive: true, force: true }) : undefined));

describe.skipIf(missing !== null)('torchrun on the exported run', () => {
  it('continues the app run: 2 processes with gloo, 30 steps, the loss falls; import back, the app evaluates to the PSNR PyTorch measured', async () => {
    const ck = path.join(dir, 'ck-2proc');
    const r = await launch(TORCHRUN, ['--standalone', '--nproc_per_node', '2', ...torchrunFix(path.join(dir, 'logs-2proc')), ...trainArgs(ck)], dir);
    expectExited(r, 'torchrun --standalone');
    const steps30 = await torchSteps(ck);
    expect(steps30.map((p) => p.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 3)); // continued at the app's step 2
    const losses = steps30.map((p) => p.loss);
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)));

    const back = await runImportPytorch({ source: ck, runsDir: path.join(dir, 'runs'), run: 'back', dataset: null }, createTestContext());
    expect(back.step).toBe(32);
    const history = await readHistory(back.runDir);
    const steps = history.filter((e) => e.event === 'train.step').map((e) => e.payload.step as number);
    expect(steps[0]).toBeLessThanOrEqual(2); // the app's own steps are kept …
    expect(steps.at(-1)).toBe(32); // … followed by torch's
    expect(history.some((e) => e.event === 'train.validation' && e.payload.step === 32)).toBe(true);

    // It can be fine-tuned: the checkpoint loads with its Adam state (as resume does).
    const loaded = await loadCheckpoint(back.runDir, 'last');
    const adam = new Adam(trainableWeightsOf(loaded.model));
    restoreAdam(adam, loaded.optimizer);
    expect(adam.iterations).toBe(32);
    adam.dispose();
    loaded.model.dispose();

    const evalOut = path.join(dir, 'eval.json');
    await runEvaluate(evaluateParams.parse({ testSet: data, model: path.join(back.runDir, 'checkpoints', 'last'), out: evalOut }), createTestContext());
    const appPsnr = parseEval(await readFile(evalOut, 'utf8')).summary.overall.model.psnr.meanDb!;
    const torchSide = await launch(PYTHON, [path.join(exported, 'train.py'), 'evaluate', '--data', data, '--checkpoint', path.join(ck, 'last.pt'), '--split', 'test'], dir);
    expect(torchSide.code, torchSide.err).toBe(0);
    const torchPsnr = jsonLines(torchSide.out)[0]!.psnr as number;
    expect(Math.abs(appPsnr - torchPsnr)).toBeLessThan(0.01);
  }, 600_000);

  // Node 0 holds the rendezvous store (is_host=1), node 1 joins it: left to guess, both nodes on one host try to bind its
  // port and one falls back after an 'Address already in use'. This launch used to hang in 1 of 3 to 5 tries after
  // training had finished (train.py's teardown of the gloo group; see its end): it now has one try, like a user's.
  it('two nodes on loopback (c10d rendezvous, two processes each) train the same 30 steps and the loss falls', async () => {
    const port = await freePort();
    const ck = path.join(dir, 'ck-2nodes');
    const node = (n: number) =>
      launch(TORCHRUN, [...torchrunFix(path.join(dir, `logs-node${n}`)), '--nnodes', '2', '--nproc_per_node', '2', '--rdzv_backend', 'c10d', '--rdzv_endpoint', `127.0.0.1:${port}`, '--rdzv_conf', `is_host=${n === 0 ? 1 : 0}`, '--rdzv_id', 'deblur-test', ...trainArgs(ck)], dir);
    const [a, b] = await Promise.all([node(0), node(1)]);
    expectExited(a, 'torchrun node 0');
    expectExited(b, 'torchrun node 1');
    const steps30 = await torchSteps(ck); // only global rank 0 writes the history
    expect(steps30.map((p) => p.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 3));
    const losses = steps30.map((p) => p.loss);
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)));
  }, 600_000);
});
