import { describeError } from '../runtime/backends/describe-error';
import { describeAdapter, softwareAdapterReason, type AdapterInfoLike } from '../runtime/backends/gpu-adapter';

/**
 * Whether this machine's default WebGPU adapter is real hardware. ORT's WebGPU provider runs on a
 * software rasteriser too (Mesa's llvmpipe/lavapipe, SwiftShader) but hundreds of times slower than
 * its CPU provider, so such an adapter is skipped. Asked through Dawn (the optional `webgpu` package),
 * the same WebGPU implementation ORT's provider is built on.
 */
export interface AdapterCheck {
  hardware: boolean;
  /** what the adapter is, or why none could be asked for */
  detail: string;
}

/** What an adapter's info says, by the runtime chain's own rule (one list of software rasterizers). */
export function classifyAdapter(info: AdapterInfoLike): AdapterCheck {
  const name = describeAdapter(info);
  const software = softwareAdapterReason(info);
  return software ? { hardware: false, detail: `the WebGPU adapter is a software one (${name}: ${software})` } : { hardware: true, detail: name };
}

type RequestAdapter = () => Promise<AdapterInfoLike | null>;

const dawnAdapter: RequestAdapter = async () => {
  const { create } = (await import('webgpu')) as { create: (flags: string[]) => { requestAdapter(o?: object): Promise<{ info: AdapterInfoLike } | null> } };
  const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const i = adapter.info;
  return { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: (i as { isFallbackAdapter?: boolean }).isFallbackAdapter };
};

export async function checkWebGpuAdapter(request: RequestAdapter = dawnAdapter, timeoutMs = 15_000): Promise<AdapterCheck> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const info = await Promise.race([
      request(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from the WebGPU adapter request within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    if (!info) return { hardware: false, detail: 'no WebGPU adapter on this machine' };
    return classifyAdapter(info);
  } catch (err) {
    return { hardware: false, detail: `cannot tell whether a hardware WebGPU adapter exists: ${describeError(err)}` };
  } finally {
    clearTimeout(timer);
  }
}
