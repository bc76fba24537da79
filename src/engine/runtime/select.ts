/**
 * Picks the fastest TF.js backend that works here — tfjs-node-gpu, tfjs-node, webgpu, wasm, cpu, in
 * that order — activates it in the engine's one tfjs-core instance (./tf) and reports what happened.
 * DEBLUR_BACKEND (or opts.force) forces one backend; if it cannot run, that is an error, never a
 * silent fallback. webgpu is picked on its own only on a hardware adapter (a software rasterizer is
 * slower than wasm); forcing it runs it on any adapter. DEBLUR_WASM_THREADS (or opts.threads) sets the wasm thread count.
 *
 * Idempotent: the first call selects; later calls return the same report without re-initialising,
 * except after the webgpu device was lost: then the next call selects again (a new device).
 */
import os from 'node:os';
import { activateCpu } from './backends/cpu';
import { describeError } from './backends/describe-error';
import { activateNative, BackendUnavailable } from './backends/native';
import { activateWasm } from './backends/wasm';
import { activateWebGpu, webGpuDeviceLost } from './backends/webgpu';
import type { BackendAttempt, BackendName, RuntimeReport } from './report';
import { BACKEND_ORDER } from './report';
import { getBackend, version_core } from './tf';

export type { RuntimeReport } from './report';

export interface SelectRuntimeOptions {
  /** Use only this backend (overrides DEBLUR_BACKEND). */
  force?: BackendName;
  /** wasm threads (overrides DEBLUR_WASM_THREADS); 1 = the single-threaded SIMD build. */
  threads?: number;
}

export class RuntimeSelectionError extends Error {
  constructor(
    message: string,
    readonly attempts: BackendAttempt[],
  ) {
    super(message);
    this.name = 'RuntimeSelectionError';
  }
}

/** XNNPACK in tfjs-backend-wasm caps its pool at 4 threads. */
const MAX_WASM_THREADS = 4;

function parseBackend(value: string, source: string): BackendName {
  const name = value.trim() as BackendName;
  if (!BACKEND_ORDER.includes(name)) {
    throw new RuntimeSelectionError(`${source}='${value}' is not a backend; use one of: ${BACKEND_ORDER.join(', ')}`, []);
  }
  return name;
}

function defaultWasmThreads(): number {
  return Math.min(os.availableParallelism(), MAX_WASM_THREADS);
}

function resolveThreads(opts: SelectRuntimeOptions): number {
  const raw = opts.threads ?? process.env.DEBLUR_WASM_THREADS;
  if (raw == null || raw === '') return defaultWasmThreads();
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new RuntimeSelectionError(`wasm threads must be a positive integer, got '${raw}'`, []);
  }
  return Math.min(n, MAX_WASM_THREADS);
}

interface Activated {
  threads: number;
  simd: boolean | null;
  notes: string[];
}

async function activate(name: BackendName, wasmThreads: number, forced: boolean): Promise<Activated> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      await activateNative(name);
      return { threads: os.availableParallelism(), simd: null, notes: [] };
    case 'webgpu': {
      const gpu = await activateWebGpu({ allowSoftware: forced });
      return { threads: 1, simd: null, notes: gpu.notes };
    }
    case 'wasm': {
      const wasm = await activateWasm(wasmThreads);
      return { threads: wasm.threads, simd: wasm.simd, notes: wasm.notes };
    }
    case 'cpu':
      await activateCpu();
      return { threads: 1, simd: null, notes: [] };
  }
}

async function select(opts: SelectRuntimeOptions): Promise<RuntimeReport> {
  const forcedRaw = opts.force ?? process.env.DEBLUR_BACKEND;
  const forced = forcedRaw != null && forcedRaw !== ''
    ? parseBackend(forcedRaw, opts.force != null ? 'force' : 'DEBLUR_BACKEND')
    : null;
  const wasmThreads = resolveThreads(opts);
  const candidates = forced != null ? [forced] : BACKEND_ORDER;
  const attempts: BackendAttempt[] = [];

  for (const name of candidates) {
    const t0 = performance.now();
    try {
      const got = await activate(name, wasmThreads, forced != null);
      const ms = Math.round(performance.now() - t0);
      attempts.push({ backend: name, ok: true, reason: got.notes.length > 0 ? got.notes.join('; ') : null, ms });
      if (getBackend() !== name.replace('tensorflow-gpu', 'tensorflow')) {
        throw new Error(`backend '${name}' activated but tfjs reports '${getBackend()}'`);
      }
      return {
        backend: name,
        tfjsVersion: version_core,
        threads: got.threads,
        simd: got.simd,
        forced,
        attempts,
        platform: `${process.platform} ${process.arch}`,
        node: process.version,
      };
    } catch (e) {
      const ms = Math.round(performance.now() - t0);
      const reason = e instanceof BackendUnavailable ? e.message : describeError(e);
      attempts.push({ backend: name, ok: false, reason, ms });
      if (forced != null) {
        const source = opts.force != null ? 'force' : 'DEBLUR_BACKEND';
        throw new RuntimeSelectionError(`${source}=${forced}: backend '${forced}' is not available here: ${reason}`, attempts);
      }
    }
  }
  throw new RuntimeSelectionError(
    `no TF.js backend could start: ${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`,
    attempts,
  );
}

let selection: Promise<RuntimeReport> | null = null;
let selectionForced: BackendName | null | undefined;
let selectionOpts: SelectRuntimeOptions = {};

function startSelection(opts: SelectRuntimeOptions): void {
  selectionOpts = opts;
  selection = select(opts);
  selection.catch(() => {
    selection = null; // a failed selection (e.g. a bad DEBLUR_BACKEND) may be retried
  });
}

/**
 * Selects and activates the backend once per process. A later call that forces a different
 * backend than the one running is an error (the engine cannot switch under running jobs).
 */
export async function selectRuntime(opts: SelectRuntimeOptions = {}): Promise<RuntimeReport> {
  const settled = selection;
  if (settled != null && webGpuDeviceLost() != null) {
    const running = await settled.catch(() => null);
    // The job that saw the loss has failed; this one gets a new device (once, however many jobs ask).
    if (selection === settled && running?.backend === 'webgpu') startSelection(selectionOpts);
  }
  if (selection == null) {
    selectionForced = opts.force;
    startSelection(opts);
  }
  const report = await selection!;
  if (opts.force != null && opts.force !== selectionForced && opts.force !== report.backend) {
    throw new RuntimeSelectionError(
      `the runtime is already selected (${report.backend}); cannot switch to '${opts.force}' in this process`,
      report.attempts,
    );
  }
  return report;
}

/**
 * Forgets the selection so the next selectRuntime() selects again (tests and benches that
 * compare backends in one process). Backends already started stay registered.
 */
export function forgetRuntimeSelection(): void {
  selection = null;
  selectionForced = undefined;
}
