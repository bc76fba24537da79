/**
 * Whether the WebGPU tests can run here. They run on any adapter, software ones included (CI has
 * Mesa's llvmpipe Vulkan driver: correctness only, slow, so the tests stay tiny). They skip only when
 * no adapter can be had and no Vulkan driver is installed; an installed driver that yields no adapter
 * is a failure, so CI cannot skip them by accident.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { probeWebGpuAdapter, type WebGpuAdapterProbe } from '../../src/engine/runtime/backends/webgpu';

const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

function installedVulkanDrivers(): string[] {
  return ICD_DIRS.flatMap((dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)) : []));
}

export type WebGpuAvailability = { ok: true; probe: WebGpuAdapterProbe } | { ok: false; reason: string };

export async function webGpuAvailability(): Promise<WebGpuAvailability> {
  // Mesa warns on every start without it (as .ci/run sets it).
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = path.join(os.tmpdir(), `xdg-runtime-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  try {
    return { ok: true, probe: await probeWebGpuAdapter() };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const drivers = installedVulkanDrivers();
    if (drivers.length > 0) throw new Error(`Vulkan drivers are installed (${drivers.join(', ')}) but WebGPU has no adapter: ${reason}`);
    return { ok: false, reason: `no WebGPU adapter here (${reason}); on Debian: apt-get install -t bookworm-backports mesa-vulkan-drivers` };
  }
}

/** A describe() title that says where the tests run, or why they are skipped. */
export function webGpuTitle(what: string, a: WebGpuAvailability): string {
  return a.ok ? `${what} (on ${a.probe.adapter})` : `${what} — skipped: ${a.reason}`;
}
