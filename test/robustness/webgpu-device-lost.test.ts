/**
 * Hostile condition: the GPU goes away in the middle of a training job (driver reset, eGPU unplugged).
 * Fault injected: the webgpu backend's device is destroyed from the trainer's onBatch hook at step 3,
 * so the next kernel, upload or read meets a lost device.
 * What must hold: that job fails with a message that says the GPU device was lost (no hang, no crash,
 * no unhandled rejection); the engine (this process) keeps running, and the next job trains on a new
 * GPU device and finishes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainParams } from '../../src/shared/contract';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { webGpuDevice, webGpuDeviceLost } from '../../src/engine/runtime/backends/webgpu';
import { forgetRuntimeSelection, selectRuntime } from '../../src/engine/runtime/select';
import * as tf from '../../src/engine/runtime/tf';
import { runTraining } from '../../src/engine/train/trainer';
import { makeTileDataset } from '../integration/train-helpers';
import { webGpuAvailability, webGpuTitle } from '../integration/webgpu-support';

const gpu = await webGpuAvailability();

describe.runIf(gpu.ok)(webGpuTitle('a GPU device lost mid-job', gpu), () => {
  let dir: string;
  let tiles: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'webgpu-lost-'));
    tiles = await makeTileDataset(dir, { count: 8, levels: [11] });
    forgetRuntimeSelection();
    expect((await selectRuntime({ force: 'webgpu' })).backend).toBe('webgpu');
  });
  afterAll(async () => {
    forgetRuntimeSelection();
    await rm(dir, { recursive: true, force: true });
  });

  const params = (run: string) =>
    trainParams.parse({ dataset: tiles, runsDir: path.join(dir, 'runs'), run, model: 'resunet', preset: 'small', epochs: 1, stepsPerEpoch: 4, batch: 1, patch: 16 });

  it('fails that job with a clear message; the next job gets a new device and finishes', async () => {
    const lostDevice = webGpuDevice();
    expect(lostDevice).not.toBeNull();
    const failed = runTraining(params('lost'), createTestContext(), {
      onBatch: (_batch, step) => {
        if (step === 2) webGpuDevice()!.destroy();
      },
    });
    await expect(failed).rejects.toThrow(/the GPU device was lost \(destroyed.*\); this job stopped\. The engine keeps running/);
    expect(webGpuDeviceLost()?.reason).toBe('destroyed');

    const result = await runTraining(params('after'), createTestContext());
    expect(result).toMatchObject({ steps: 4, stopped: 'finished' });
    expect(tf.getBackend()).toBe('webgpu');
    expect(webGpuDevice()).not.toBe(lostDevice);
    expect(webGpuDeviceLost()).toBeNull();
    const report = await selectRuntime();
    expect(report.attempts.at(-1)?.reason).toMatch(/replaced the backend whose device was lost \(destroyed\)/);
  });
});
