import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawImage } from '../../src/engine/image/raw-image';
import { deblurTiled } from '../../src/engine/infer/deblur-image';
import { loadRunnableModel, type RunnableModel } from '../../src/engine/infer/load-model';
import { modelPredictor } from '../../src/engine/infer/model-predictor';
import { defaultModelDir } from '../../src/engine/infer/model-source';
import { runDeblur } from '../../src/engine/infer/run-deblur';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { selectRuntime } from '../../src/engine/runtime/select';
import { deblurParams } from '../../src/shared/contract';
import { fixturePath, readPngRaw } from '../helpers/fixtures';

/**
 * The built-in model deblurs every fixture photo on ONNX Runtime (tiled, feathered, as the job does)
 * to within one grey level of the TF.js path; its conversion goes to the user cache, not into the
 * installation's resources/ folder.
 */
const photos = readdirSync(fixturePath('photos')).filter((f) => f.endsWith('.png'));
let root: string;
let model: RunnableModel;

beforeAll(async () => {
  await selectRuntime();
  root = await mkdtemp(path.join(os.tmpdir(), 'deblur-onnx-deblur-'));
  process.env.DEBLUR_CACHE_DIR = path.join(root, 'cache');
  model = await loadRunnableModel('default');
});
afterAll(async () => {
  await model?.dispose();
  delete process.env.DEBLUR_CACHE_DIR;
  await rm(root, { recursive: true, force: true });
});

function maxGreyDiff(a: RawImage, b: RawImage): number {
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

describe('deblur on ONNX Runtime', () => {
  it('runs the built-in model on ONNX Runtime, converted into the user cache', () => {
    expect(model.engine.report.runtime).toBe('onnx');
    expect(model.engine.onnxFile).toBe(path.join(root, 'cache', 'onnx', path.basename(model.engine.onnxFile!)));
    expect(readdirSync(defaultModelDir()).filter((f) => f.endsWith('.onnx'))).toEqual([]);
  });

  it.each(photos)('%s: within 1 grey level of TF.js, tiled with feathered overlaps', async (name) => {
    const img = await readPngRaw(fixturePath('photos', name), 3);
    const opts = { tile: 64, overlap: 16 }; // several tiles even on the small fixtures
    const onnx = await deblurTiled(model.predict, img, model.shape, opts);
    const tfjs = await deblurTiled(modelPredictor(model.model), img, model.shape, opts);
    expect(maxGreyDiff(onnx, tfjs)).toBeLessThanOrEqual(1);
    expect(maxGreyDiff(onnx, img)).toBeGreaterThan(1); // the model did change the photo
  });

  it("the deblur job's log names the runtime and provider, and why the others do not run", async () => {
    const ctx = createTestContext();
    const r = await runDeblur(deblurParams.parse({ inputs: [fixturePath('photos', 'dune-crop-97x61.png')], model: 'default', outDir: path.join(root, 'out') }), ctx);
    expect(r.outputs).toHaveLength(1);
    expect(existsSync(r.outputs[0]!.output)).toBe(true);
    const log = ctx.logs.map((l) => l.message).join('\n');
    expect(log).toMatch(/inference on ONNX Runtime 1\.\d+\.\d+ \((cpu|webgpu) provider\); not used: .*dml: only on Windows; coreml: only on macOS/);
    expect(log).toMatch(/ONNX model from the cache: /);
  });
});
