import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layersModelToOnnx } from '../../src/engine/export/onnx/convert-layers-model';
import type { RawImage } from '../../src/engine/image/raw-image';
import { deblurTiled, type TileShape } from '../../src/engine/infer/deblur-image';
import type { Ort } from '../../src/engine/infer/ort-module';
import { tileShapeOf } from '../../src/engine/infer/model-predictor';
import { ortPredictor } from '../../src/engine/infer/ort-predictor';
import { chooseProviders, sessionOptions, type ProviderName } from '../../src/engine/infer/ort-providers';
import { selectRuntime } from '../../src/engine/runtime/select';
import { fixturePath, readPngRaw } from '../helpers/fixtures';
import { perturbedResUNet } from './infer-support';
import { webGpuAvailability, webGpuTitle } from './webgpu-support';

/**
 * ONNX Runtime's WebGPU provider deblurs a fixture crop to the same pixels as its CPU provider.
 * The app skips WebGPU on a software adapter (too slow to be useful), so this test forces it past
 * the adapter check: CI's llvmpipe checks correctness only. It is slow there, hence a tiny seeded
 * ResUNet exported with the app's own converter and a 48×48 crop in one tile.
 */
const CROP = 48;
const availability = await webGpuAvailability();
type Session = ort.InferenceSession;

let onnxBytes: Uint8Array;
let crop: RawImage;
let shape: TileShape;
const sessions: Session[] = [];

beforeAll(async () => {
  await selectRuntime();
  const model = perturbedResUNet();
  onnxBytes = layersModelToOnnx(model).bytes;
  shape = tileShapeOf(model);
  model.dispose();
  const photo = await readPngRaw(fixturePath('photos', 'ladybird-crop-128x96.png'), 3);
  crop = cropOf(photo, 40, 24, CROP, CROP);
});
afterAll(async () => {
  for (const s of sessions) await s.release();
});

function cropOf(img: RawImage, left: number, top: number, width: number, height: number): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) data.set(img.data.subarray(((top + y) * img.width + left) * 3, ((top + y) * img.width + left + width) * 3), y * width * 3);
  return { data, width, height, channels: 3 };
}

async function predictorOn(provider: ProviderName) {
  const session = await ort.InferenceSession.create(onnxBytes, sessionOptions(provider));
  sessions.push(session);
  return ortPredictor(ort as unknown as Ort, session);
}

function maxGreyDiff(a: RawImage, b: RawImage): number {
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

describe.skipIf(!availability.ok)(webGpuTitle("ONNX Runtime's WebGPU provider", availability), () => {
  it('passes the provider probe once the adapter check is waived', async () => {
    const choice = await chooseProviders(ort as unknown as Ort, { platform: 'linux', checkAdapter: async () => ({ hardware: true, detail: 'forced by the test' }) });
    expect(choice.attempts.find((a) => a.provider === 'webgpu')).toMatchObject({ ok: true, reason: null });
    expect(choice.usable).toEqual(['webgpu', 'cpu']);
  });

  it(`deblurs a ${CROP}×${CROP} fixture crop within 1 grey level of the CPU provider`, async () => {
    const onCpu = await predictorOn('cpu');
    const onWebGpu = await predictorOn('webgpu');
    const opts = { tile: CROP, overlap: 0 }; // one tile: the whole crop
    const cpu = await deblurTiled(onCpu, crop, shape, opts);
    const webgpu = await deblurTiled(onWebGpu, crop, shape, opts);
    expect(webgpu.width).toBe(CROP);
    expect(maxGreyDiff(webgpu, cpu)).toBeLessThanOrEqual(1);
    expect(maxGreyDiff(cpu, crop)).toBeGreaterThan(1); // the model did change the crop
  });

  it('returns the same floats as the CPU provider within 1e-3', async () => {
    const input = Float32Array.from(crop.data, (v) => v / 255);
    const [cpu, webgpu] = [await (await predictorOn('cpu'))(input, CROP, CROP), await (await predictorOn('webgpu'))(input, CROP, CROP)];
    let max = 0;
    for (let i = 0; i < cpu.length; i++) max = Math.max(max, Math.abs(cpu[i]! - webgpu[i]!));
    expect(webgpu.length).toBe(cpu.length);
    expect(max).toBeLessThanOrEqual(1e-3);
  });
});
