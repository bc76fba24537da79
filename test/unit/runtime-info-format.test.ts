/** `deblur-studio info`'s runtime chain: why each backend does not run, and what the one that runs noted. */
import { describe, expect, it } from 'vitest';
import { formatRuntimeReport } from '../../src/cli/commands/info';
import type { RuntimeReport } from '../../src/shared/contract';

const report = (attempts: RuntimeReport['attempts'], backend: RuntimeReport['backend']): RuntimeReport => ({
  backend, tfjsVersion: '4.22.0', threads: 1, simd: null, forced: null, attempts, platform: 'linux x64', node: 'v20.19.0',
});

describe('formatRuntimeReport', () => {
  it('prints the adapter webgpu runs on and the reasons of the skipped ones', () => {
    const text = formatRuntimeReport(report([
      { backend: 'tensorflow', ok: false, reason: "module not installed (@tensorflow/tfjs-node): upstream's download is gone", ms: 1 },
      { backend: 'webgpu', ok: true, reason: 'adapter: NVIDIA GeForce RTX 4090 (nvidia, ada-lovelace)', ms: 300 },
    ], 'webgpu'));
    expect(text).toContain("✘ tensorflow      unavailable: module not installed (@tensorflow/tfjs-node): upstream's download is gone");
    expect(text).toContain('✔ webgpu          runs — adapter: NVIDIA GeForce RTX 4090 (nvidia, ada-lovelace)');
  });

  it('prints a bare "runs" when the backend noted nothing', () => {
    expect(formatRuntimeReport(report([{ backend: 'cpu', ok: true, reason: null, ms: 1 }], 'cpu'))).toMatch(/✔ cpu {13}runs$/m);
  });
});
