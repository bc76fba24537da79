/**
 * The WebAssembly backend (XNNPACK kernels), made able to train (registerWasmTrainingKernels) and,
 * when more than one thread is asked for, run as tfjs's multi-threaded SIMD build (threaded-build.ts).
 */
import { env, setBackend } from '../tf';
import { registerWasmTrainingKernels } from '../wasm/register-training-kernels';
import { useThreadedWasmBuild } from '../wasm/threaded-build';
import { describeError } from './describe-error';
import { BackendUnavailable } from './native';

export interface WasmActivation {
  threads: number;
  simd: boolean;
  build: 'threaded-simd' | 'simd' | 'plain';
  /** What did not work on the way (e.g. the threaded build, and why). */
  notes: string[];
}

type ProcessEvent = 'uncaughtException' | 'unhandledRejection';
const PROCESS_EVENTS: ProcessEvent[] = ['uncaughtException', 'unhandledRejection'];

/**
 * Emscripten's Node glue adds process handlers that rethrow every uncaught exception and unhandled
 * rejection, which overrides the app's own handlers; they are removed once the module has started.
 */
async function withoutEmscriptenProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  type Listener = (...args: unknown[]) => void;
  const listeners = (e: ProcessEvent) => process.listeners(e as 'uncaughtException') as Listener[];
  const before = new Map(PROCESS_EVENTS.map((e) => [e, new Set(listeners(e))]));
  try {
    return await start();
  } finally {
    for (const event of PROCESS_EVENTS) {
      for (const listener of listeners(event)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
      }
    }
  }
}

export async function activateWasm(threads: number): Promise<WasmActivation> {
  let wasmPkg: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasmPkg = await import('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    throw new BackendUnavailable(`@tensorflow/tfjs-backend-wasm failed to load: ${describeError(e)}`);
  }
  const simd = (await env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const notes: string[] = [];
  let build: WasmActivation['build'] | null = null;

  if (threads > 1) {
    if (!simd) notes.push('threaded build skipped: it needs WebAssembly SIMD, which this runtime lacks');
    else if (typeof SharedArrayBuffer === 'undefined') notes.push('threaded build skipped: no SharedArrayBuffer');
    else {
      const threaded = await useThreadedWasmBuild(threads);
      if (await withoutEmscriptenProcessHandlers(() => setBackend('wasm'))) {
        build = 'threaded-simd';
      } else {
        notes.push(`threaded build failed, using the single-threaded one: ${threaded.lastError() ?? 'unknown error'}`);
        threaded.restore();
      }
    }
  }
  if (build == null) {
    if (!(await withoutEmscriptenProcessHandlers(() => setBackend('wasm')))) {
      throw new BackendUnavailable('tfjs-backend-wasm failed to initialise (see the warning above)');
    }
    build = simd ? 'simd' : 'plain';
  }
  registerWasmTrainingKernels();
  return { threads: wasmPkg.getThreadsCount(), simd, build, notes };
}
