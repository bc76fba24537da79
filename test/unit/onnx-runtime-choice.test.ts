import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatInferRuntime } from '../../src/cli/commands/info';
import { loadInferenceModel } from '../../src/engine/infer/load-model';
import type { Ort } from '../../src/engine/infer/ort-module';
import { chooseProviders } from '../../src/engine/infer/ort-providers';
import { describeInferChoice, describeInferRuntime, InferRuntimeError, openInferRuntime } from '../../src/engine/infer/ort-runtime';
import { classifyAdapter } from '../../src/engine/infer/ort-webgpu-adapter';
import { saveModel } from '../../src/engine/models/io';
import { selectRuntime } from '../../src/engine/runtime/select';
import * as tf from '../../src/engine/runtime/tf';
import { saveTinyModel } from '../integration/infer-support';

const software = async () => ({ hardware: false, detail: 'the WebGPU adapter is a software one (llvmpipe)' });
const noOrt = async (): Promise<Ort> => {
  throw new Error('onnxruntime-node cannot load: libonnxruntime.so.1: cannot open shared object file');
};

let root: string;
let tinyDir: string;
beforeAll(async () => {
  await selectRuntime();
  root = await mkdtemp(path.join(os.tmpdir(), 'deblur-onnx-choice-'));
  tinyDir = await saveTinyModel(root);
});
afterAll(() => rm(root, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.DEBLUR_INFER;
});

describe('WebGPU adapter check', () => {
  it('tells software adapters from hardware ones', () => {
    expect(classifyAdapter({ vendor: 'mesa', architecture: 'software', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)', isFallbackAdapter: true }).hardware).toBe(false);
    expect(classifyAdapter({ vendor: 'google', description: 'SwiftShader Device (Subzero)' }).hardware).toBe(false);
    expect(classifyAdapter({ vendor: 'intel', description: 'anything', isFallbackAdapter: true }).hardware).toBe(false);
    const nvidia = classifyAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' });
    expect(nvidia).toEqual({ hardware: true, detail: 'NVIDIA H200 (nvidia, hopper)' }); // named as the runtime chain names it
  });
});

describe('execution provider choice', () => {
  it('skips WebGPU on a software adapter and the other platforms’ providers, each with its reason; CPU runs', async () => {
    const choice = await chooseProviders(ort as unknown as Ort, { platform: 'linux', checkAdapter: software });
    expect(choice.usable).toEqual(['cpu']);
    const reason = (p: string) => choice.attempts.find((a) => a.provider === p)?.reason;
    expect(reason('webgpu')).toMatch(/software one \(llvmpipe\)/);
    expect(reason('dml')).toBe('only on Windows');
    expect(reason('coreml')).toBe('only on macOS');
    expect(choice.attempts.find((a) => a.provider === 'cpu')).toMatchObject({ ok: true, reason: null });
  });

  it('names a provider the onnxruntime-node build lacks', async () => {
    const choice = await chooseProviders(ort as unknown as Ort, { platform: 'win32', checkAdapter: software });
    expect(choice.attempts.find((a) => a.provider === 'dml')?.reason).toMatch(/not in this onnxruntime-node build/);
  });
});

describe('inference runtime choice', () => {
  it('runs ONNX Runtime on CPU here and says why the others do not (info and job log)', async () => {
    const report = await describeInferRuntime({ providerEnv: { checkAdapter: software } });
    expect(report).toMatchObject({ runtime: 'onnx', provider: 'cpu', forced: null });
    expect(report.ortVersion).toMatch(/^1\.\d+/);
    expect(formatInferRuntime(report).join('\n')).toMatch(/ONNX Runtime 1\.\d+\.\d+, cpu provider[\s\S]*✘ onnx webgpu +unavailable: the WebGPU adapter is a software one/);
  });

  it('falls back to TF.js with the reason when onnxruntime-node cannot load', async () => {
    const loaded = await loadInferenceModel(tinyDir);
    try {
      const engine = await openInferRuntime(loaded, { loadOrt: noOrt });
      expect(engine.report.runtime).toBe('tfjs');
      expect(describeInferChoice(engine.report)).toMatch(/inference on TF\.js; not used: onnxruntime: onnxruntime-node cannot load: libonnxruntime/);
      const out = await engine.predict(new Float32Array(8 * 8 * 3).fill(0.5), 8, 8);
      expect(out.length).toBe(8 * 8 * 3);
    } finally {
      loaded.model.dispose();
    }
  });

  it('DEBLUR_INFER=onnx where ONNX Runtime cannot load is an error, not a fallback', async () => {
    process.env.DEBLUR_INFER = 'onnx';
    const loaded = await loadInferenceModel(tinyDir);
    try {
      await expect(openInferRuntime(loaded, { loadOrt: noOrt })).rejects.toThrow(InferRuntimeError);
      await expect(openInferRuntime(loaded, { loadOrt: noOrt })).rejects.toThrow(/DEBLUR_INFER=onnx: ONNX Runtime cannot run tiny-resunet: .*libonnxruntime/);
      await expect(describeInferRuntime({ loadOrt: noOrt })).rejects.toThrow(/DEBLUR_INFER=onnx: ONNX Runtime cannot run here/);
    } finally {
      loaded.model.dispose();
    }
  });

  it('DEBLUR_INFER=tfjs runs TF.js without touching ONNX Runtime; a bad value names the choices', async () => {
    process.env.DEBLUR_INFER = 'tfjs';
    const loaded = await loadInferenceModel(tinyDir);
    try {
      const engine = await openInferRuntime(loaded, { loadOrt: noOrt });
      expect(engine.report).toMatchObject({ runtime: 'tfjs', forced: 'tfjs' });
      expect(engine.report.attempts[0]).toMatchObject({ runtime: 'onnx', ok: false, reason: 'not tried: DEBLUR_INFER=tfjs' });
      process.env.DEBLUR_INFER = 'torch';
      await expect(openInferRuntime(loaded)).rejects.toThrow("DEBLUR_INFER='torch' is not an inference runtime; use one of: onnx, tfjs");
    } finally {
      loaded.model.dispose();
    }
  });

  it('a model the exporter cannot convert runs on TF.js, the reason naming the layer class; forced onnx refuses it', async () => {
    const input = tf.input({ shape: [null, null, 3] });
    const out = tf.layers.separableConv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'sep' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out, name: 'separable' });
    const dir = path.join(root, 'separable');
    await saveModel(model, dir);
    model.dispose();
    const loaded = await loadInferenceModel(dir);
    try {
      const engine = await openInferRuntime(loaded, { providerEnv: { checkAdapter: software } });
      expect(engine.report.runtime).toBe('tfjs');
      expect(describeInferChoice(engine.report)).toMatch(/the model cannot be converted: .*layer sep is a SeparableConv2D/);
      await expect(openInferRuntime(loaded, { force: 'onnx', providerEnv: { checkAdapter: software } })).rejects.toThrow(/force=onnx: .*SeparableConv2D/);
    } finally {
      loaded.model.dispose();
    }
  });
});
