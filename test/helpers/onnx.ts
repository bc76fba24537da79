import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as tf from '../../src/engine/runtime/tf';

/** Debian's python3 with python3-onnx, for ONNX's own checker; null (with why) where it is missing. */
export const PYTHON = '/usr/bin/python3';
export function onnxCheckerMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import onnx.checker'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'python3-onnx is not installed (apt-get install python3-onnx)';
}

/** onnx.checker.check_model with full_check (shape inference too) on each file; returns stderr on failure. */
export function checkOnnxFiles(files: string[]): { ok: boolean; output: string } {
  const script = 'import sys, onnx\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\n    print("ok", f)';
  const r = spawnSync(PYTHON, ['-c', script, ...files], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}\n${r.stderr}` };
}

/**
 * Replaces every weight with seeded random values scaled by fan-in (so activations stay O(1) through
 * deep stacks): zero-initialised residual branches would otherwise make the models identities, and an
 * identity hides a wrongly mapped layer.
 */
export function randomizeWeights(model: tf.LayersModel, seed = 1): void {
  let s = seed;
  tf.tidy(() => {
    for (const layer of model.layers) {
      const ws = layer.getWeights();
      if (ws.length === 0) continue;
      layer.setWeights(
        ws.map((w) => {
          const fanIn = w.shape.length > 1 ? w.shape.slice(0, -1).reduce((a, d) => a * d, 1) : 64;
          return tf.randomNormal(w.shape, 0, 0.7 / Math.sqrt(fanIn), 'float32', s++);
        }),
      );
    }
  });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
