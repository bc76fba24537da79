import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { probeWebGpuAdapter } from '../../src/engine/runtime/backends/webgpu';
import { forgetRuntimeSelection, selectRuntime } from '../../src/engine/runtime/select';
import * as tf from '../../src/engine/runtime/tf';

const require = createRequire(import.meta.url);
const installed = (pkg: string): boolean => {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
};
const nativeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');
/** The adapter webgpu would get here: a hardware one wins the chain, a software one is skipped. */
const adapter = await probeWebGpuAdapter().catch(() => null);
const hardwareGpu = adapter != null && adapter.software == null;

afterEach(() => {
  delete process.env.DEBLUR_BACKEND;
  forgetRuntimeSelection();
});

describe('selectRuntime', () => {
  it('runs the first working backend and says why each earlier one did not', async () => {
    const report = await selectRuntime({ threads: 1 });
    expect(report.tfjsVersion).toBe(tf.version_core);
    expect(report.forced).toBeNull();
    expect(report.platform).toBe(`${process.platform} ${process.arch}`);
    expect(report.node).toBe(process.version);
    expect(tf.getBackend()).toBe(report.backend === 'tensorflow-gpu' ? 'tensorflow' : report.backend);
    const last = report.attempts.at(-1)!;
    expect(last).toMatchObject({ backend: report.backend, ok: true });
    for (const failed of report.attempts.slice(0, -1)) {
      expect(failed.ok).toBe(false);
      expect(failed.reason).toMatch(/\S/);
    }
    if (!nativeInstalled && !hardwareGpu) {
      expect(report.backend).toBe('wasm');
      expect(report.attempts.map((a) => a.backend)).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm']);
      expect(report.threads).toBe(1);
      expect(typeof report.simd).toBe('boolean');
    }
  });

  it.runIf(!nativeInstalled)('says why tfjs-node is missing: libtensorflow 2.9.1 could not be downloaded, and which variable names a mirror', async () => {
    const report = await selectRuntime({ threads: 1 });
    const [gpuNative, native] = report.attempts;
    expect(gpuNative!.reason).toMatch(/^module not installed \(@tensorflow\/tfjs-node-gpu\): its install step could not download libtensorflow-gpu 2\.9\.1/);
    expect(native!.reason).toMatch(/^module not installed \(@tensorflow\/tfjs-node\): its install step could not download libtensorflow 2\.9\.1/);
    expect(native!.reason).toMatch(/upstream's download is gone \(storage\.googleapis\.com answers 403 since August 2026, tensorflow\/tfjs issue #8742\)/);
    expect(native!.reason).toMatch(/TFJS_NODE_CDN_STORAGE=\S+ npm install @tensorflow\/tfjs-node$/);
  });

  it.runIf(adapter?.software != null)('skips a software WebGPU adapter on its own and says so', async () => {
    const report = await selectRuntime({ threads: 1 });
    const webgpu = report.attempts.find((a) => a.backend === 'webgpu');
    expect(webgpu).toMatchObject({ ok: false });
    expect(webgpu!.reason).toContain(`only a software adapter here: ${adapter!.adapter}`);
    expect(webgpu!.reason).toMatch(/slower than wasm, so it is skipped \(DEBLUR_BACKEND=webgpu forces it\)/);
    expect(report.backend).not.toBe('webgpu');
  });

  it.runIf(adapter != null)('DEBLUR_BACKEND=webgpu forces webgpu on any adapter and names it', async () => {
    process.env.DEBLUR_BACKEND = 'webgpu';
    const report = await selectRuntime();
    expect(report).toMatchObject({ backend: 'webgpu', forced: 'webgpu', threads: 1, simd: null });
    expect(report.attempts[0]!.reason).toContain(`adapter: ${adapter!.adapter}`);
    expect(tf.getBackend()).toBe('webgpu');
    expect(Array.from(await tf.add(tf.tensor1d([1, 2]), 1).data())).toEqual([2, 3]);
  });

  it('is idempotent: a second call returns the same report without re-initialising', async () => {
    const first = await selectRuntime({ threads: 1 });
    const backendInstance = tf.backend();
    const second = await selectRuntime();
    expect(second).toBe(first);
    expect(tf.backend()).toBe(backendInstance);
  });

  it('refuses to switch to another forced backend once one runs', async () => {
    const report = await selectRuntime({ threads: 1 });
    const other = report.backend === 'cpu' ? 'wasm' : 'cpu';
    await expect(selectRuntime({ force: other })).rejects.toThrow(/already selected .*cannot switch to 'cpu'|cannot switch to 'wasm'/);
  });

  it('DEBLUR_BACKEND=cpu forces the cpu backend', async () => {
    process.env.DEBLUR_BACKEND = 'cpu';
    const report = await selectRuntime();
    expect(report).toMatchObject({ backend: 'cpu', forced: 'cpu', threads: 1, simd: null });
    expect(report.attempts).toHaveLength(1);
    expect(tf.getBackend()).toBe('cpu');
    expect(Array.from(tf.add(tf.tensor1d([1, 2]), 1).dataSync())).toEqual([2, 3]);
  });

  it('opts.force wins over DEBLUR_BACKEND', async () => {
    process.env.DEBLUR_BACKEND = 'tensorflow';
    const report = await selectRuntime({ force: 'cpu' });
    expect(report.forced).toBe('cpu');
    expect(report.backend).toBe('cpu');
  });

  it.runIf(!nativeInstalled)('a forced backend that cannot run is a clear error, not a fallback', async () => {
    process.env.DEBLUR_BACKEND = 'tensorflow';
    await expect(selectRuntime()).rejects.toThrow(
      /DEBLUR_BACKEND=tensorflow: backend 'tensorflow' is not available here: module not installed \(@tensorflow\/tfjs-node\)/,
    );
    await expect(selectRuntime({ force: 'tensorflow-gpu' })).rejects.toThrow(/force=tensorflow-gpu: .*tfjs-node-gpu/);
  });

  it('rejects an unknown DEBLUR_BACKEND and lists the valid ones', async () => {
    process.env.DEBLUR_BACKEND = 'gpu';
    await expect(selectRuntime()).rejects.toThrow(/DEBLUR_BACKEND='gpu' is not a backend; use one of: tensorflow-gpu, tensorflow, webgpu, wasm, cpu/);
  });

  it('rejects a wasm thread count that is not a positive integer', async () => {
    await expect(selectRuntime({ threads: 0 })).rejects.toThrow(/positive integer/);
  });
});

describe('tf module', () => {
  it('gives one tfjs-core instance with chained tensor methods, as the full tfjs package does', async () => {
    await selectRuntime({ threads: 1 });
    const core = await import('@tensorflow/tfjs-core');
    expect(tf.engine()).toBe(core.engine());
    expect(tf.tf.engine()).toBe(core.engine());
    const x = tf.tensor2d([[1, -2], [3, -4]]);
    expect(Array.from(x.abs().mul(2).reshape([4]).dataSync())).toEqual([2, 4, 6, 8]);
    expect(x.concat(x, 0).shape).toEqual([4, 2]);
    expect(x.toFloat().asType('int32').dtype).toBe('int32');
  });
});
