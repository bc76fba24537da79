/**
 * The WebGPU backend: @tensorflow/tfjs-backend-webgpu on Dawn's Node addon (the `webgpu` package),
 * both optional dependencies. Dawn talks to Vulkan (Linux), Metal (macOS) or D3D12 (Windows), so
 * any GPU with a current driver trains, not only NVIDIA's.
 *
 * The device is made here rather than by tfjs's own factory so that the engine holds it: a lost
 * device (driver reset, GPU unplugged, out of memory) turns every later kernel and read into a
 * WebGpuDeviceLost error that names what happened — that job fails, the engine process lives on,
 * and the next selectRuntime() builds a fresh device (see select.ts).
 */
import { createRequire } from 'node:module';
import type { KernelBackend } from '../tf';
import { engine, findBackendFactory, registerBackend, removeBackend, setBackend } from '../tf';
import { describeError } from './describe-error';
import type { AdapterInfoLike } from './gpu-adapter';
import { describeAdapter, softwareAdapterReason } from './gpu-adapter';
import { BackendUnavailable } from './native';

const require = createRequire(import.meta.url);
const BACKEND = 'webgpu';

export interface WebGpuAdapterProbe {
  /** e.g. "NVIDIA GeForce RTX 4090 (nvidia, lovelace)". */
  adapter: string;
  info: AdapterInfoLike;
  /** Why it is a software rasterizer; null for a hardware GPU. */
  software: string | null;
}

export interface WebGpuActivation extends WebGpuAdapterProbe {
  notes: string[];
}

export class WebGpuDeviceLost extends Error {
  constructor(readonly reason: string, detail: string) {
    super(
      `the GPU device was lost (${reason}${detail ? `: ${detail}` : ''}); this job stopped. The engine keeps running ` +
        'and the next job starts on a new GPU device (DEBLUR_BACKEND=wasm runs on the CPU instead)',
    );
    this.name = 'WebGpuDeviceLost';
  }
}

type Dawn = { create(options: string[]): GPU; globals: Record<string, unknown> };
type WebGpuPackage = { WebGPUBackend: new (device: GPUDevice, info: unknown) => KernelBackend };

let gpu: GPU | null = null;
let current: { device: GPUDevice; lost: WebGpuDeviceLost | null } | null = null;

async function loadDawn(): Promise<Dawn> {
  try {
    return (await import('webgpu')) as unknown as Dawn;
  } catch (e) {
    const missing = e instanceof Error && 'code' in e && e.code === 'ERR_MODULE_NOT_FOUND' && /'webgpu'/.test(e.message);
    throw new BackendUnavailable(
      missing ? "module not installed (webgpu, Dawn's Node addon; an optional dependency)" : `webgpu (Dawn) failed to load: ${describeError(e)}`,
    );
  }
}

/** One Dawn instance per process: each create() loads the drivers again. */
async function dawnGpu(): Promise<{ dawn: Dawn; gpu: GPU }> {
  const dawn = await loadDawn();
  gpu ??= dawn.create([]);
  return { dawn, gpu };
}

async function requestAdapter(g: GPU): Promise<GPUAdapter> {
  let adapter: GPUAdapter | null;
  try {
    adapter = await g.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    throw new BackendUnavailable(`Dawn could not list GPU adapters: ${describeError(e)}`);
  }
  if (adapter == null) {
    throw new BackendUnavailable(
      'no WebGPU adapter: Dawn found no GPU driver it can use (Linux: a Vulkan driver, e.g. the GPU vendor\'s or mesa-vulkan-drivers)',
    );
  }
  return adapter;
}

function probeOf(adapter: GPUAdapter): WebGpuAdapterProbe {
  const info = adapter.info as AdapterInfoLike;
  return { adapter: describeAdapter(info), info, software: softwareAdapterReason(info) };
}

/** The adapter the backend would run on, without activating anything (tests and benches decide from it). */
export async function probeWebGpuAdapter(): Promise<WebGpuAdapterProbe> {
  return probeOf(await requestAdapter((await dawnGpu()).gpu));
}

/** tfjs-backend-webgpu reads WebGPU's constants (GPUBufferUsage…) and navigator.gpu from the global scope, as in a browser. */
function installWebGpuGlobals(dawn: Dawn, g: GPU): void {
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav == null) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: g }, configurable: true, writable: true });
  } else if (!('gpu' in nav)) {
    // Node ≥ 21 (and Electron) have a navigator without gpu.
    Object.defineProperty(nav, 'gpu', { value: g, configurable: true });
  }
}

function loadTfjsWebGpu(): WebGpuPackage {
  try {
    return require('@tensorflow/tfjs-backend-webgpu') as WebGpuPackage;
  } catch (e) {
    const missing = e instanceof Error && 'code' in e && e.code === 'MODULE_NOT_FOUND';
    throw new BackendUnavailable(
      missing ? 'module not installed (@tensorflow/tfjs-backend-webgpu, an optional dependency)' : `@tensorflow/tfjs-backend-webgpu failed to load: ${describeError(e)}`,
    );
  }
}

/** The limits tfjs's own factory asks for: without them Dawn hands out WebGPU's small defaults (128 MiB buffers). */
function deviceDescriptor(adapter: GPUAdapter): GPUDeviceDescriptor {
  const l = adapter.limits;
  return {
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  };
}

type Patchable = Record<'runWebGPUProgram' | 'read' | 'readSync' | 'write', (...args: unknown[]) => unknown>;

/**
 * Makes a lost device fail loudly: kernels and uploads throw at once; a read that was waiting when
 * the device went away rejects instead of hanging. Also turns an uncaptured GPU error (out of
 * memory, a shader Dawn rejects) into a failure of the next read, i.e. of the job that caused it.
 */
function guardBackend(backend: KernelBackend, device: GPUDevice, state: { lost: WebGpuDeviceLost | null }): void {
  let lostReject: (e: Error) => void = () => {};
  const lostPromise = new Promise<never>((_, reject) => {
    lostReject = reject;
  });
  lostPromise.catch(() => {});
  let gpuError: string | null = null;

  void device.lost.then((info) => {
    if (info.reason === 'destroyed' && (backend as unknown as { disposed?: boolean }).disposed) return; // we let it go
    state.lost = new WebGpuDeviceLost(info.reason, info.message);
    console.error(`[engine] ${state.lost.message}`);
    lostReject(state.lost);
  });
  device.addEventListener('uncapturederror', (event) => {
    gpuError ??= describeError((event as GPUUncapturedErrorEvent).error);
  });

  const b = backend as unknown as Patchable;
  const ensureAlive = () => {
    if (state.lost) throw state.lost;
  };
  for (const name of ['runWebGPUProgram', 'readSync', 'write'] as const) {
    const original = b[name].bind(backend);
    b[name] = (...args) => {
      ensureAlive();
      return original(...args);
    };
  }
  const read = b.read.bind(backend);
  b.read = async (...args) => {
    ensureAlive();
    const values = await Promise.race([read(...args), lostPromise]);
    if (gpuError != null) {
      const message = gpuError;
      gpuError = null;
      throw new Error(`WebGPU error while computing this result: ${message}`);
    }
    return values;
  };
}

/** The device the running webgpu backend computes on, for fault-injection tests; null when webgpu never started. */
export function webGpuDevice(): GPUDevice | null {
  return current?.device ?? null;
}

/** The loss of the running backend's device, or null while it works. */
export function webGpuDeviceLost(): WebGpuDeviceLost | null {
  return current?.lost ?? null;
}

/**
 * Activates webgpu on the preferred adapter. A software adapter is refused unless allowSoftware
 * (DEBLUR_BACKEND=webgpu). A backend whose device was lost is replaced by one on a new device.
 */
export async function activateWebGpu(opts: { allowSoftware: boolean }): Promise<WebGpuActivation> {
  const { dawn, gpu: g } = await dawnGpu();
  const adapter = await requestAdapter(g);
  const probe = probeOf(adapter);
  if (probe.software != null && !opts.allowSoftware) {
    throw new BackendUnavailable(
      `only a software adapter here: ${probe.adapter} — ${probe.software}, slower than wasm, so it is skipped (DEBLUR_BACKEND=webgpu forces it)`,
    );
  }
  const notes = [`adapter: ${probe.adapter}`];
  if (probe.software != null) notes.push(`software adapter (${probe.software}): correct but slower than wasm`);

  if (current != null && current.lost == null && engine().registry[BACKEND] != null) {
    if (!(await setBackend(BACKEND))) throw new BackendUnavailable('tfjs-backend-webgpu failed to initialise (see the log above)');
    return { ...probe, notes };
  }

  installWebGpuGlobals(dawn, g);
  const { WebGPUBackend } = loadTfjsWebGpu();
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice(deviceDescriptor(adapter));
  } catch (e) {
    throw new BackendUnavailable(`the adapter ${probe.adapter} refused a device: ${describeError(e)}`);
  }
  const state = { device, lost: null as WebGpuDeviceLost | null };
  let backend: KernelBackend;
  try {
    backend = new WebGPUBackend(device, adapter.info);
  } catch (e) {
    device.destroy();
    throw new BackendUnavailable(`tfjs-backend-webgpu could not start on ${probe.adapter}: ${describeError(e)}`);
  }
  guardBackend(backend, device, state);
  // Ours replaces tfjs's own factory (registered on import when navigator.gpu was already there) or a dead backend.
  if (findBackendFactory(BACKEND) != null) removeBackend(BACKEND);
  registerBackend(BACKEND, () => backend);
  const previous = current;
  current = state;
  if (!(await setBackend(BACKEND))) {
    current = previous;
    throw new BackendUnavailable('tfjs-backend-webgpu failed to initialise (see the log above)');
  }
  if (previous != null) notes.push(`replaced the backend whose device was lost (${previous.lost?.reason ?? 'unknown'})`);
  return { ...probe, notes };
}
