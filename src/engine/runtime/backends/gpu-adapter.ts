/**
 * What kind of WebGPU adapter Dawn handed out. A software rasterizer (Mesa's llvmpipe/lavapipe,
 * SwiftShader, Windows' WARP) runs shaders on the CPU, ~20× slower than the wasm backend, so the
 * runtime chain skips it unless webgpu is forced. Pure functions of GPUAdapterInfo, unit-tested.
 */

export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** Dawn sets it for CPU adapters (and for the fallback adapter a page asks for). */
  isFallbackAdapter?: boolean;
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|\bwarp\b|basic render driver/i;

/** Why this adapter is a software one, or null for a hardware GPU. */
export function softwareAdapterReason(info: AdapterInfoLike): string | null {
  const text = [info.description, info.device, info.architecture, info.vendor].filter(Boolean).join(' ');
  const named = SOFTWARE_NAMES.exec(text);
  if (named) return `${named[0].toLowerCase()} is a software rasterizer`;
  if (info.architecture?.toLowerCase() === 'software') return "its architecture is 'software'";
  if (info.isFallbackAdapter === true) return 'Dawn marks it as a fallback (CPU) adapter';
  return null;
}

/** One line naming the adapter, e.g. "NVIDIA GeForce RTX 4090 (nvidia, lovelace)". */
export function describeAdapter(info: AdapterInfoLike): string {
  const name = info.description?.trim() || info.device?.trim() || 'unnamed adapter';
  const detail = [info.vendor, info.architecture].map((s) => s?.trim()).filter((s) => s != null && s !== '');
  return detail.length > 0 ? `${name} (${detail.join(', ')})` : name;
}
