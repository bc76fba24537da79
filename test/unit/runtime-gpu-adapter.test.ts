/** Telling a software WebGPU adapter (skipped unless forced) from a hardware GPU, from GPUAdapterInfo alone. */
import { describe, expect, it } from 'vitest';
import { describeAdapter, softwareAdapterReason } from '../../src/engine/runtime/backends/gpu-adapter';

describe('softwareAdapterReason', () => {
  it.each([
    // What Dawn reports for Mesa's llvmpipe Vulkan driver (measured on Debian 12 with Mesa 25.0.7 from backports).
    [{ vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1', isFallbackAdapter: true }, /llvmpipe is a software rasterizer/],
    [{ vendor: 'google', architecture: '', description: 'SwiftShader Device (Subzero)' }, /swiftshader is a software rasterizer/],
    [{ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }, /basic render driver/],
    [{ vendor: 'unknown', architecture: 'Software', description: 'some cpu device' }, /architecture is 'software'/],
    [{ vendor: 'acme', description: 'Acme GPU', isFallbackAdapter: true }, /fallback \(CPU\) adapter/],
  ])('%o is software', (info, why) => {
    expect(softwareAdapterReason(info)).toMatch(why);
  });

  it.each([
    { vendor: 'nvidia', architecture: 'ada-lovelace', device: '', description: 'NVIDIA GeForce RTX 4090', isFallbackAdapter: false },
    { vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7900 XTX (RADV NAVI31)' },
    { vendor: 'intel', architecture: 'xe-lpg', description: 'Intel(R) Arc(tm) Graphics (MTL)' },
    { vendor: 'apple', architecture: 'metal-3', description: 'Apple M2' },
  ])('$description is hardware', (info) => {
    expect(softwareAdapterReason(info)).toBeNull();
  });
});

describe('describeAdapter', () => {
  it('names the adapter, then vendor and architecture when Dawn gives them', () => {
    expect(describeAdapter({ vendor: 'nvidia', architecture: 'ada-lovelace', description: 'NVIDIA GeForce RTX 4090' })).toBe('NVIDIA GeForce RTX 4090 (nvidia, ada-lovelace)');
    expect(describeAdapter({ vendor: '', architecture: '', device: 'gfx1100' })).toBe('gfx1100');
    expect(describeAdapter({})).toBe('unnamed adapter');
  });
});
