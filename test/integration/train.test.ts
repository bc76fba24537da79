import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { events, trainParams, type EventPayload, type JobParamsInput } from '../../src/shared/contract';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { JobRunner } from '../../src/engine/jobs/runner';
import { loadModel } from '../../src/engine/models/io';
import * as tf from '../../src/engine/models/tf';
import { readCompleteManifest } from '../../src/engine/data/manifest';
import { buildModel } from '../../src/engine/models/registry';
import { readCheckpointState } from '../../src/engine/train/checkpoint';
import { mseLoss } from '../../src/engine/train/losses';
import { createSchedule } from '../../src/engine/train/schedules';
import { loadValidationSet, validate } from '../../src/engine/train/validation';
import { readHistoryFile } from '../../src/engine/train/history';
import { listRuns, readHistory } from '../../src/engine/train/runs';
import { assertParamLimit, resumeTraining, runTraining } from '../../src/engine/train/trainer';
import { eventsOf, makeFrameDataset, makeTileDataset } from './train-helpers';

let dir: string;
let tiles: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'train-it-'));
  tiles = await makeTileDataset(dir, { count: 38, levels: [11] });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const params = (run: string, extra: Partial<JobParamsInput<'train'>> = {}) =>
  trainParams.parse({ dataset: tiles, runsDir: path.join(dir, 'runs'), run, model: 'resunet', preset: 'small', epochs: 1, batch: 4, patch: 32, lr: 5e-4, ...extra });

describe('training resunet small for real', () => {
  it('lowers the loss and beats the identity baseline at σ 1.6 (k=11) in 60 steps; events, history, checkpoints and runs list agree', async () => {
    const ctx = createTestContext();
    const tensorsAtStep: number[] = [];
    // Few steps, so a high peak rate with the default cosine schedule (its warm-up keeps the first steps small).
    const result = await runTraining(params('learn', { stepsPerEpoch: 60, validateEvery: 30, lr: 2e-3, loss: 'mse', schedule: 'cosine' }), ctx, {
      onBatch: (_batch, step) => {
        tensorsAtStep[step] = tf.memory().numTensors;
      },
    });
    const runDir = path.join(dir, 'runs', 'learn');
    expect(result).toEqual({ runDir, steps: 60, bestPsnr: expect.any(Number), stopped: 'finished' });

    // Every emitted event matches the contract.
    for (const e of ctx.events) events[e.event as keyof typeof events].parse(e.payload);
    const vals = eventsOf<EventPayload<'train.validation'>>(ctx, 'train.validation');
    expect(vals.map((v) => v.step)).toEqual([30, 60]);
    const last = vals[1]!;
    const k11 = last.byLevel.find((l) => l.kernel === 11)!;
    expect(k11.psnr!).toBeGreaterThan(k11.identityPsnr!);
    expect(k11.ssim!).toBeGreaterThan(k11.identitySsim!);
    expect(last.psnr!).toBeGreaterThan(last.identityPsnr!);
    expect(result.bestPsnr).toBe(Math.max(...vals.map((v) => v.psnr!)));

    // The loss fell: resunet starts as the identity, so its starting validation loss is the identity's.
    const untrained = buildModel('resunet', 'small');
    const manifest = await readCompleteManifest(tiles);
    const start = await validate(untrained, mseLoss, await loadValidationSet(tiles, manifest, { multipleOf: 8 }), ctx);
    untrained.dispose();
    expect(start.psnr).toBeCloseTo(start.identityPsnr!, 10);
    expect(last.loss).toBeLessThan(start.loss);

    const steps = eventsOf<EventPayload<'train.step'>>(ctx, 'train.step');
    expect(steps[0]!.step).toBe(1);
    expect(steps.at(-1)!).toMatchObject({ step: 60, epoch: 1 });
    expect(steps.at(-1)!.lr).toBe(createSchedule('cosine', { lr: 2e-3, totalSteps: 60 }).lrAt(59));
    expect(steps.at(-1)!.lr).toBeLessThan(2.2e-5); // near the end of the cosine: close to 1 % of the peak
    expect(steps.at(-1)!.samplesPerSecond).toBeGreaterThan(0);
    expect(ctx.progressLog.at(-1)!.fraction).toBe(1);
    expect(ctx.progressLog.at(-1)!.message).toMatch(/step 60\/60 .*loss [\d.e-]+ · val PSNR [\d.]+ dB/);

    const preview = eventsOf<EventPayload<'train.preview'>>(ctx, 'train.preview');
    expect(preview).toHaveLength(2);
    for (const url of [preview[0]!.blurred, preview[0]!.output, preview[0]!.sharp]) {
      const png = Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64');
      const meta = await sharp(png).metadata();
      expect(meta.format).toBe('png');
      expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(128);
    }

    // Tensors: the count at the start of every step is the same from step 2 on (validations included).
    expect(new Set(tensorsAtStep.slice(1)).size).toBe(1);

    // Checkpoints: last at 30 and 60, best whenever PSNR improved; both load as standard layers models.
    const cps = eventsOf<EventPayload<'train.checkpoint'>>(ctx, 'train.checkpoint');
    expect(cps.filter((c) => c.kind === 'last').map((c) => c.step)).toEqual([30, 60]);
    expect(cps.some((c) => c.kind === 'best')).toBe(true);
    const lastState = await readCheckpointState(path.join(runDir, 'checkpoints', 'last'));
    expect(lastState).toMatchObject({ step: 60, samplesSeen: 240, bestPsnr: result.bestPsnr, lastValidation: { step: 60, psnr: last.psnr } });
    const best = await loadModel(path.join(runDir, 'checkpoints', 'best'));
    expect(best.countParams()).toBe(252_611);
    best.dispose();

    // History: what the charts need, in order; the runs list summarises the run.
    const history = await readHistory(runDir);
    expect(history.filter((e) => e.event === 'train.validation')).toHaveLength(2);
    expect(history.filter((e) => e.event === 'train.step').map((e) => (e.payload as { step: number }).step)).toEqual(steps.map((s) => s.step));
    expect(await readHistoryFile(path.join(runDir, 'history.jsonl'))).toEqual(history);
    const runs = await listRuns(path.join(dir, 'runs'));
    expect(runs.find((r) => r.name === 'learn')).toMatchObject({ dir: runDir, model: 'resunet', preset: 'small', step: 60, bestPsnr: result.bestPsnr, hasCheckpoint: true });
    const config = JSON.parse(await readFile(path.join(runDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ totalSteps: 60, stepsPerEpoch: 60, validateEvery: 30, params: { loss: 'mse', patch: 32 } });
  }, 240_000);

  it('stops on a NaN loss with a clear message, keeping the last good checkpoint', async () => {
    const ctx = createTestContext();
    const run = runTraining(params('nan', { stepsPerEpoch: 10, validateEvery: 2 }), ctx, {
      onBatch: (batch, step) => {
        if (step === 3) batch.blurred[5] = Number.NaN;
      },
    });
    await expect(run).rejects.toThrow(/loss became NaN at step 4 .*the model was not updated with it and the last good checkpoint \(step 2\) is kept in .*nan.*Lower the learning rate/);
    const lastDir = path.join(dir, 'runs', 'nan', 'checkpoints', 'last');
    expect((await readCheckpointState(lastDir)).step).toBe(2);
    const model = await loadModel(lastDir);
    const finite = model.getWeights().every((w) => (w.dataSync() as Float32Array).every(Number.isFinite));
    model.dispose();
    expect(finite).toBe(true);
  });

  it('refuses what it cannot train, with messages that say why', async () => {
    expect(() => assertParamLimit(15_000_001, 'big')).toThrow('big has 15,000,001 parameters, more than the limit of 15,000,000 trainable here; choose a smaller preset');
    expect(() => assertParamLimit(14_758_819, 'seed-autoencoder')).not.toThrow();
    // A run stopped before its first step exists all the same (config and a step-0 checkpoint).
    const stop = new AbortController();
    stop.abort();
    expect(await runTraining(params('exists'), createTestContext(stop.signal))).toMatchObject({ steps: 0, stopped: 'stopped' });
    await expect(runTraining(params('exists'), createTestContext())).rejects.toThrow(/a run named "exists" already exists .*resume it/);
    // Without a checkpoint (killed before its first save) there is nothing to resume: the same name starts over.
    await rm(path.join(dir, 'runs', 'exists', 'checkpoints'), { recursive: true });
    await expect(resumeTraining({ runDir: path.join(dir, 'runs', 'exists') }, createTestContext())).rejects.toThrow(/has no checkpoint yet .*it starts over/);
    const again = createTestContext(stop.signal);
    expect(await runTraining(params('exists'), again)).toMatchObject({ steps: 0, stopped: 'stopped' });
    expect(again.logs[0]!.message).toMatch(/never saved a checkpoint: starting it over/);
    await mkdir(path.join(dir, 'runs', 'not-a-run'), { recursive: true });
    await writeFile(path.join(dir, 'runs', 'not-a-run', 'notes.txt'), 'mine');
    await expect(runTraining(params('not-a-run'), createTestContext())).rejects.toThrow(/exists and is not empty, but holds no training run/);
    await expect(runTraining(params('seed64', { model: 'seed-autoencoder', preset: 'default', patch: 64 }), createTestContext())).rejects.toThrow(
      /seed-autoencoder takes only 448×256 .*whole frames/,
    );
    await expect(runTraining(params('odd', { patch: 36 }), createTestContext())).rejects.toThrow(/multiples of 8; patch 36 is not one \(try 40\)/);
    await expect(runTraining(params('huge', { patch: 128 }), createTestContext())).rejects.toThrow(/patch 128 is larger than the data set's 64×64 images/);
    await expect(runTraining(params('weights', { levelWeights: { '5': 2 } }), createTestContext())).rejects.toThrow(/level weights name blur level 5, which the data set does not have/);
    await expect(runTraining(params('from-nowhere', { init: path.join(dir, 'no-model') }), createTestContext())).rejects.toThrow(/model folder .*no-model does not exist/);
    await expect(resumeTraining({ runDir: tiles }, createTestContext())).rejects.toThrow(`${tiles} is not a training run folder (no config.json)`);
    await expect(readHistory(tiles)).rejects.toThrow(/is not a training run folder/);
    expect(await listRuns(path.join(dir, 'no-such-folder'))).toEqual([]);
    expect((await listRuns(dir)).map((r) => r.name)).toEqual([]); // the data set folders are not runs
  });
});

describe('as an engine job', () => {
  it('pauses between steps; Stop while paused saves a checkpoint and finishes the job as stopped', async () => {
    const sent: Array<{ event: string; payload: Record<string, unknown> }> = [];
    let runner: JobRunner;
    let jobId = '';
    const done = new Promise<{ event: string; payload: Record<string, unknown> }>((resolve) => {
      runner = new JobRunner({ train: runTraining, resume: resumeTraining }, (event, payload) => {
        const p = payload as Record<string, unknown>;
        events[event].parse(payload);
        sent.push({ event, payload: p });
        if (event === 'train.step' && p.step === 1) runner.pause(jobId); // the first step is always reported
        if (event === 'job.finished' || event === 'job.failed') resolve({ event, payload: p });
      });
    });
    jobId = runner!.start('train', params('job', { patch: 16, batch: 2, stepsPerEpoch: 100 }));
    // Paused during step 1's report: the loop stops before step 2 and waits until Stop arrives.
    await vi.waitFor(() => expect(sent.some((e) => e.event === 'train.step')).toBe(true), { timeout: 120_000, interval: 50 });
    await new Promise((r) => setTimeout(r, 300));
    const stepsWhilePaused = sent.filter((e) => e.event === 'train.step').length;
    runner!.cancel(jobId);
    const end = await done;
    expect(end.event).toBe('job.finished');
    const result = end.payload.result as { steps: number; stopped: string; runDir: string };
    expect(result).toMatchObject({ stopped: 'stopped', steps: 1, runDir: path.join(dir, 'runs', 'job') });
    expect(sent.filter((e) => e.event === 'train.step')).toHaveLength(stepsWhilePaused);
    expect(sent.filter((e) => e.event === 'train.step').every((e) => e.payload.jobId === jobId)).toBe(true);
    expect(sent.find((e) => e.event === 'train.checkpoint')?.payload).toMatchObject({ kind: 'last', step: result.steps });
    expect((await readCheckpointState(path.join(result.runDir, 'checkpoints', 'last'))).step).toBe(result.steps);
  }, 240_000);
});

describe('training the seed autoencoder', () => {
  it('trains a few full-frame steps and its loss falls', async () => {
    const frames = await makeFrameDataset(dir);
    const ctx = createTestContext();
    const result = await runTraining(
      trainParams.parse({ dataset: frames, runsDir: path.join(dir, 'runs'), run: 'seed', model: 'seed-autoencoder', preset: 'default', patch: null, batch: 1, epochs: 1, stepsPerEpoch: 4, lr: 1e-3, loss: 'mse', schedule: 'constant' }),
      ctx,
    );
    expect(result).toMatchObject({ steps: 4, stopped: 'finished' });
    const losses = eventsOf<EventPayload<'train.step'>>(ctx, 'train.step').map((s) => s.loss);
    expect(losses[0]).toBeDefined();
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    expect(ctx.logs[0]!.message).toMatch(/seed-autoencoder \(14,758,819 parameters\)/);
  }, 240_000);
});
