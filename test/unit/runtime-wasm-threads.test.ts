/**
 * The multi-threaded SIMD wasm build in Node (src/engine/runtime/wasm/threaded-build.ts): it starts
 * with the asked-for thread count, computes what the cpu backend computes, and lets Node exit.
 */
import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { selectRuntime } from '../../src/engine/runtime/select';
import * as tf from '../../src/engine/runtime/tf';

const root = path.resolve(import.meta.dirname, '../..');

describe('threaded wasm build', () => {
  it('runs with 2 XNNPACK threads and matches the cpu backend', async () => {
    const report = await selectRuntime({ force: 'wasm', threads: 2 });
    expect(report.backend).toBe('wasm');
    expect(report.simd).toBe(true);
    expect(report.threads).toBe(2);
    expect(report.attempts[0]!.reason).toBeNull(); // no fallback to the single-threaded build

    const x = Float32Array.from({ length: 2 * 16 * 16 * 8 }, (_, i) => Math.sin(i));
    const w = Float32Array.from({ length: 3 * 3 * 8 * 8 }, (_, i) => Math.cos(i));
    const convOn = (backend: string) => {
      tf.setBackend(backend);
      const out = tf.tidy(() => tf.conv2d(tf.tensor4d(x, [2, 16, 16, 8]), tf.tensor4d(w, [3, 3, 8, 8]), 1, 'same'));
      const data = out.dataSync().slice();
      out.dispose();
      return data;
    };
    const want = convOn('cpu');
    const got = convOn('wasm');
    const err = Math.max(...want.map((v, i) => Math.abs(v - got[i]!)));
    expect(err).toBeLessThan(1e-3);
  });

  it('lets the process exit on its own and leaves no emscripten process handlers', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'deblur-runtime-'));
    try {
      const script = path.join(dir, 'threaded.mts');
      const selectUrl = pathToFileURL(path.join(root, 'src/engine/runtime/select.ts')).href;
      const tfUrl = pathToFileURL(path.join(root, 'src/engine/runtime/tf.ts')).href;
      writeFileSync(script, [
        `const { selectRuntime } = await import(${JSON.stringify(selectUrl)});`,
        `const tf = await import(${JSON.stringify(tfUrl)});`,
        `const report = await selectRuntime({ force: 'wasm', threads: 2 });`,
        `const sum = tf.sum(tf.conv2d(tf.ones([1, 8, 8, 4]), tf.ones([3, 3, 4, 4]), 1, 'same')).dataSync()[0];`,
        `console.log(JSON.stringify({ threads: report.threads, sum,`,
        `  handlers: process.listeners('uncaughtException').length + process.listeners('unhandledRejection').length }));`,
        // No process.exit(): the process must end by itself once the event loop is empty.
      ].join('\n'));
      const run = spawnSync(process.execPath, [path.join(root, 'bin/tsx.mjs'), script], {
        cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, DEBLUR_BACKEND: '' },
      });
      expect(run.signal, `killed after 60 s: the pthread workers kept Node alive\n${run.stderr}`).toBeNull();
      expect(run.status, run.stderr).toBe(0);
      const line = run.stdout.trim().split('\n').pop()!;
      // All-ones 8×8×4 image and 3×3×4×4 filter: each of the 4 outputs is 4 × (window pixels inside);
      // summed over the image that is 4 × 4 × (Σ pixels per row window)² = 16 × 22².
      expect(JSON.parse(line)).toEqual({ threads: 2, sum: 4 * 4 * (3 * 6 + 2 * 2) ** 2, handlers: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
