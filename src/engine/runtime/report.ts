/** Which TF.js backend runs the engine, and why the ones tried before it did not. */

/** The backends selectRuntime knows, fastest first. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

export interface BackendAttempt {
  backend: string;
  ok: boolean;
  /** Why it did not run (null when ok). */
  reason: string | null;
  /** Time spent trying it. */
  ms: number;
}

export interface RuntimeReport {
  backend: BackendName;
  /** Version of the tfjs-core instance the engine uses. */
  tfjsVersion: string;
  /** Threads the backend computes with (wasm: XNNPACK thread-pool size; native: cores; webgpu, cpu: 1). */
  threads: number;
  /** WebAssembly SIMD in use; null for backends that are not wasm. */
  simd: boolean | null;
  /** The backend asked for through DEBLUR_BACKEND or opts.force, else null. */
  forced: string | null;
  attempts: BackendAttempt[];
  /** e.g. "linux x64". */
  platform: string;
  /** Node.js version, e.g. "v20.19.0". */
  node: string;
}

/** Which runtime runs inference (deblur, evaluate): ONNX Runtime on a converted model, or TF.js itself. */
export type InferRuntimeName = 'onnx' | 'tfjs';
export const INFER_RUNTIMES: readonly InferRuntimeName[] = ['onnx', 'tfjs'];

export interface InferAttempt {
  runtime: InferRuntimeName;
  /** ONNX Runtime's execution provider (webgpu, dml, coreml, cpu); null for TF.js */
  provider: string | null;
  ok: boolean;
  /** why it does not run (null when ok) */
  reason: string | null;
}

export interface InferRuntimeReport {
  runtime: InferRuntimeName;
  /** the execution provider that runs (null for TF.js) */
  provider: string | null;
  /** DEBLUR_INFER's value, else null */
  forced: InferRuntimeName | null;
  /** onnxruntime-node's version, null when it cannot load */
  ortVersion: string | null;
  /** every runtime and provider considered, in order, with why each that does not run does not */
  attempts: InferAttempt[];
}
