/**
 * Runs tfjs-backend-wasm's multi-threaded SIMD build in Node. tfjs switches it off in Node
 * (WASM_HAS_MULTITHREAD_SUPPORT is false there) because it hands emscripten its pthread worker and
 * main script as blob: URLs, which worker_threads cannot load. This module registers a 'wasm'
 * backend factory that instantiates the same emscripten module from the package's files instead,
 * and builds tfjs's own BackendWasm on it, so every wasm kernel works unchanged.
 *
 * Two more Node-specific fixes:
 * - The C++ side sizes its XNNPACK thread pool as min(requested, logical cores / 2, 4); the halving
 *   assumes hyper-threading and leaves a 2-core machine with 1 thread. The core count import is
 *   answered with 2 × threads so the requested count is used.
 * - Emscripten keeps a reference on the workers that run pthreads, which would keep Node from ever
 *   exiting; the pool's threads are idle between kernels, so they are unreferenced.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { findBackendFactory, registerBackend, removeBackend } from '../tf';
import { pthreadWorkerFile } from './pthread-worker-file';

const require = createRequire(import.meta.url);
const WASM_PRIORITY = 2;

interface EmscriptenWorker {
  unref(): void;
}

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread?: { runningWorkers: EmscriptenWorker[]; unusedWorkers: EmscriptenWorker[] };
  tfjs?: unknown;
}

type ModuleFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

function wasmOutDir(): string {
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkg), 'wasm-out');
}

/** The bridge functions tfjs's own init() attaches to the module (backend_wasm.ts). */
function attachTfjsBridge(mod: EmscriptenModule): void {
  mod.tfjs = {
    init: mod.cwrap('init', null, []),
    initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
    registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: mod.cwrap('dispose_data', null, ['number']),
    dispose: mod.cwrap('dispose', null, []),
  };
}

export interface ThreadedBuildHandle {
  /** Puts tfjs's own (single-threaded) 'wasm' factory back, for a fallback. */
  restore(): void;
  /** Why the factory failed, if it did (tfjs only logs a factory's error). */
  lastError(): string | null;
}

/**
 * Replaces the 'wasm' backend factory with one that starts the threaded SIMD build with `threads`
 * XNNPACK threads.
 */
export async function useThreadedWasmBuild(threads: number): Promise<ThreadedBuildHandle> {
  let lastError: string | null = null;
  const wasmPkg = await import('@tensorflow/tfjs-backend-wasm');
  const original = findBackendFactory('wasm');
  const dir = wasmOutDir();
  const mainScript = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  const wasmFile = path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm');
  const workerModule = require(path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const workerFile = pthreadWorkerFile(workerModule.wasmWorkerContents);
  const factory = require(mainScript) as ModuleFactory;

  removeBackend('wasm');
  registerBackend('wasm', () =>
    startThreadedBackend().catch((e: unknown) => {
      lastError = e instanceof Error ? e.message : String(e);
      throw e;
    }), WASM_PRIORITY);

  async function startThreadedBackend() {
    let failInstantiation: (e: Error) => void = () => {};
    const instantiationFailed = new Promise<never>((_, reject) => {
      failInstantiation = reject;
    });
    const mod = await Promise.race([
      factory({
        locateFile: (file: string) => (file.endsWith('.worker.js') ? workerFile : path.join(dir, file)),
        mainScriptUrlOrBlob: mainScript,
        instantiateWasm(
          imports: { env: Record<string, unknown> },
          receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
        ) {
          imports.env.emscripten_num_logical_cores = () => 2 * threads;
          WebAssembly.instantiate(fs.readFileSync(wasmFile), imports as WebAssembly.Imports).then(
            ({ instance, module }) => receive(instance, module),
            (e: unknown) => failInstantiation(new Error(`could not instantiate ${wasmFile}: ${String(e)}`)),
          );
          return {};
        },
        onAbort: (what: unknown) => failInstantiation(new Error(`threaded wasm build aborted: ${String(what)}`)),
      }),
      instantiationFailed,
    ]);
    attachTfjsBridge(mod);
    wasmPkg.setThreadsCount(threads);
    const backend = new wasmPkg.BackendWasm(mod as never);
    for (const w of mod.PThread?.runningWorkers ?? []) w.unref();
    for (const w of mod.PThread?.unusedWorkers ?? []) w.unref();
    return backend;
  }

  return {
    restore() {
      removeBackend('wasm');
      if (original != null) registerBackend('wasm', original, WASM_PRIORITY);
    },
    lastError: () => lastError,
  };
}
