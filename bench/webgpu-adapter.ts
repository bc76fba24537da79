/** Prints the WebGPU adapter the engine's webgpu backend would run on, and whether it is a software one (bench/gpu.sh). */
import { probeWebGpuAdapter } from '../src/engine/runtime/backends/webgpu';

try {
  const p = await probeWebGpuAdapter();
  console.log(`WebGPU adapter: ${p.adapter} — ${p.software ? `software (${p.software}): webgpu is not timed as a GPU` : 'hardware'}`);
} catch (e) {
  console.log(`WebGPU adapter: none — ${e instanceof Error ? e.message : String(e)}`);
}
process.exit(0);
