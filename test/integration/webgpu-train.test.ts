/**
 * The real trainer (data loader, resunet small, MSE, Adam, cosine schedule) runs 20 steps on webgpu
 * and tracks the same seeded run on wasm: the losses of the steps both report (train.step events are
 * rate-limited; the first and last are always sent) and the last step's smoothed loss, which
 * folds in all 20, within 1% of each other (float32 on both, summed in different orders); the
 * final validation PSNR within 0.05 dB. Tiny: CI runs it on a software Vulkan driver.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainParams, type EventPayload } from '../../src/shared/contract';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { forgetRuntimeSelection, selectRuntime } from '../../src/engine/runtime/select';
import { runTraining } from '../../src/engine/train/trainer';
import { eventsOf, makeTileDataset } from './train-helpers';
import { webGpuAvailability, webGpuTitle } from './webgpu-support';

const gpu = await webGpuAvailability();
const STEPS = 20;
/** Largest relative difference allowed between the two runs' losses at any step. */
const TOLERANCE = 0.01;
const PSNR_TOLERANCE_DB = 0.05;

interface Run {
  steps: Map<number, EventPayload<'train.step'>>;
  psnr: number;
}

describe.runIf(gpu.ok)(webGpuTitle('training on webgpu tracks wasm', gpu), () => {
  let dir: string;
  let tiles: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'webgpu-train-'));
    tiles = await makeTileDataset(dir, { count: 8, levels: [11] });
  });
  afterAll(async () => {
    forgetRuntimeSelection();
    await rm(dir, { recursive: true, force: true });
  });

  async function trainOn(backend: 'wasm' | 'webgpu'): Promise<Run> {
    forgetRuntimeSelection();
    const report = await selectRuntime({ force: backend, threads: 1 });
    expect(report.backend).toBe(backend);
    const ctx = createTestContext();
    const params = trainParams.parse({
      dataset: tiles, runsDir: path.join(dir, 'runs'), run: backend, model: 'resunet', preset: 'small',
      epochs: 1, stepsPerEpoch: STEPS, batch: 2, patch: 16, lr: 2e-3, loss: 'mse', schedule: 'cosine', seed: 5,
    });
    const result = await runTraining(params, ctx);
    expect(result.steps).toBe(STEPS);
    const validations = eventsOf<EventPayload<'train.validation'>>(ctx, 'train.validation');
    expect(validations.at(-1)?.step).toBe(STEPS);
    return {
      steps: new Map(eventsOf<EventPayload<'train.step'>>(ctx, 'train.step').map((e) => [e.step, e])),
      psnr: validations.at(-1)!.psnr!,
    };
  }

  it(`${STEPS} steps of resunet small: losses within ${TOLERANCE * 100}% of the wasm run's, validation PSNR within ${PSNR_TOLERANCE_DB} dB`, async () => {
    const wasm = await trainOn('wasm');
    const webgpu = await trainOn('webgpu');
    const common = [...webgpu.steps.keys()].filter((step) => wasm.steps.has(step));
    expect(common).toContain(1);
    expect(common).toContain(STEPS);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    const pairs = common.map((step) => `${step}: ${webgpu.steps.get(step)!.loss.toFixed(6)} vs ${wasm.steps.get(step)!.loss.toFixed(6)}`).join(', ');
    for (const step of common) {
      expect(rel(webgpu.steps.get(step)!.loss, wasm.steps.get(step)!.loss), `loss at step ${step} (webgpu vs wasm: ${pairs})`).toBeLessThan(TOLERANCE);
    }
    expect(rel(webgpu.steps.get(STEPS)!.smoothedLoss, wasm.steps.get(STEPS)!.smoothedLoss), 'smoothed loss at the last step').toBeLessThan(TOLERANCE);
    expect(Math.abs(webgpu.psnr - wasm.psnr), `validation PSNR ${webgpu.psnr} vs ${wasm.psnr} dB`).toBeLessThan(PSNR_TOLERANCE_DB);
  });
});
