import os from 'node:os';
import { GraphBuilder } from '../export/onnx/graph-builder';
import { DataType, encodeOnnxModel, ONNX_IR_VERSION, ONNX_OPSET } from '../export/onnx/onnx-proto';
import { describeError } from '../runtime/backends/describe-error';
import type { InferAttempt } from '../runtime/report';
import type { Ort } from './ort-module';
import { checkWebGpuAdapter, type AdapterCheck } from './ort-webgpu-adapter';

/**
 * Which ONNX Runtime execution provider runs: the first that works of WebGPU (on a hardware
 * adapter), DirectML (Windows), CoreML (macOS) and CPU. "Works" = a session on a tiny probe model
 * is created and runs; every provider passed over gets a reason.
 */
export type ProviderName = 'webgpu' | 'dml' | 'coreml' | 'cpu';
export const PROVIDER_ORDER: readonly ProviderName[] = ['webgpu', 'dml', 'coreml', 'cpu'];

const PLATFORM_OF: Partial<Record<ProviderName, NodeJS.Platform>> = { dml: 'win32', coreml: 'darwin' };

export interface ProviderChoice {
  /** the providers that work here, in order of preference (CPU last) */
  usable: ProviderName[];
  attempts: InferAttempt[];
}

export interface ProviderEnv {
  platform?: NodeJS.Platform;
  checkAdapter?: () => Promise<AdapterCheck>;
}

/** Session options for one provider; the CPU one computes with every core this process may use. */
export function sessionOptions(provider: ProviderName): import('onnxruntime-node').InferenceSession.SessionOptions {
  const base = { graphOptimizationLevel: 'all' as const, executionMode: 'sequential' as const };
  if (provider === 'cpu') return { ...base, executionProviders: ['cpu'], intraOpNumThreads: os.availableParallelism(), interOpNumThreads: 1 };
  return { ...base, executionProviders: [provider] };
}

export async function chooseProviders(ort: Ort, env: ProviderEnv = {}): Promise<ProviderChoice> {
  const platform = env.platform ?? process.platform;
  const bundled = new Set(ort.listSupportedBackends().map((b) => b.name));
  const usable: ProviderName[] = [];
  const attempts: InferAttempt[] = [];
  const skip = (provider: ProviderName, reason: string) => attempts.push({ runtime: 'onnx', provider, ok: false, reason });
  for (const provider of PROVIDER_ORDER) {
    const needs = PLATFORM_OF[provider];
    if (needs && needs !== platform) {
      skip(provider, `only on ${needs === 'win32' ? 'Windows' : 'macOS'}`);
      continue;
    }
    if (provider !== 'cpu' && !bundled.has(provider)) {
      skip(provider, `not in this onnxruntime-node build (it has: ${[...bundled].join(', ')})`);
      continue;
    }
    if (provider === 'webgpu') {
      const adapter = await (env.checkAdapter ?? checkWebGpuAdapter)();
      if (!adapter.hardware) {
        skip(provider, adapter.detail);
        continue;
      }
    }
    const problem = await probe(ort, provider);
    if (problem) {
      skip(provider, problem);
      continue;
    }
    usable.push(provider);
    attempts.push({ runtime: 'onnx', provider, ok: true, reason: null });
  }
  return { usable, attempts };
}

let probeModel: Uint8Array | null = null;

/** null when a session on the provider runs a 1×1 convolution and returns the right numbers. */
async function probe(ort: Ort, provider: ProviderName): Promise<string | null> {
  try {
    probeModel ??= buildProbeModel();
    const session = await ort.InferenceSession.create(probeModel, sessionOptions(provider));
    try {
      const input = new Float32Array(4 * 4 * 3).map((_, i) => (i % 7) / 7);
      const out = await session.run({ input: new ort.Tensor('float32', input, [1, 4, 4, 3]) });
      const got = out.output?.data as Float32Array | undefined;
      if (!got || got.length !== input.length || got.some((v, i) => Math.abs(v - 2 * input[i]!) > 1e-5)) return 'its probe session returned wrong values';
      return null;
    } finally {
      await session.release();
    }
  } catch (err) {
    return `cannot run a session: ${describeError(err)}`;
  }
}

/** NHWC in, NCHW 1×1 convolution doubling every channel, NHWC out: the exported models' edges in miniature. */
function buildProbeModel(): Uint8Array {
  const g = new GraphBuilder();
  const input = g.reserve('input');
  const output = g.reserve('output');
  const w = g.floatTensor('w', [3, 3, 1, 1], new Float32Array([2, 0, 0, 0, 2, 0, 0, 0, 2]));
  const x = g.node('Transpose', [input], { perm: [0, 3, 1, 2] });
  const y = g.node('Conv', [x, w], { kernel_shape: [1, 1] });
  g.node('Transpose', [y], { perm: [0, 2, 3, 1] }, 'out', output);
  const dims = (n: string) => ({ name: n, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: [{ dim_param: 'n' }, { dim_param: 'h' }, { dim_param: 'w' }, { dim_value: 3 }] } } } });
  return encodeOnnxModel({
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'deblur-studio',
    producer_version: 'probe',
    graph: { name: 'provider-probe', node: g.nodes, initializer: g.initializers, input: [dims(input)], output: [dims(output)] },
    metadata_props: [],
  });
}
