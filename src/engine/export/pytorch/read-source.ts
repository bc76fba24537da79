import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isBuiltinModelName, resolveModelSource } from '../../infer/model-source';
import { fileSystemLoadHandler, MODEL_JSON, readModelMetadata } from '../../models/io';
import { readCheckpointState, type CheckpointState } from '../../train/checkpoint-state';
import { HISTORY_FILE } from '../../train/history';
import { readAdamState, type AdamState } from '../../train/optimizer-state';
import { readRunConfig, runPaths, type RunConfig } from '../../train/run-dir';
import * as tf from '../../models/tf';
import type { Tensor32 } from './layout';

/**
 * What an export reads, without building a model: the saved weights (TF.js layout, by weight name),
 * and from a run its config, the `last` checkpoint's counters and Adam state, and its history.
 */
export interface ExportSource {
  requested: string;
  /** the folder holding model.json */
  dir: string;
  runDir: string | null;
  model: string;
  preset: string;
  weights: Array<{ name: string } & Tensor32>;
  run: { config: RunConfig; state: CheckpointState; adam: AdamState; history: string } | null;
}

export async function readExportSource(spec: string): Promise<ExportSource> {
  const resolved = await resolveModelSource(spec);
  // A run folder continues from its latest state, not from its best one.
  const asked = path.resolve(isBuiltinModelName(resolved.requested) ? resolved.dir : resolved.requested);
  const dir = resolved.runDir && asked === path.resolve(resolved.runDir) ? runPaths(resolved.runDir).checkpoint('last') : resolved.dir;
  const metadata = await readModelMetadata(dir);
  const model = typeof metadata.model === 'string' ? metadata.model : null;
  const preset = typeof metadata.preset === 'string' ? metadata.preset : model === 'seed-autoencoder' ? 'default' : null;
  if (!model || !preset) {
    throw new Error(`${path.join(dir, MODEL_JSON)} does not name its zoo model and preset (userDefinedMetadata.model/preset): only the app's own models export to PyTorch`);
  }
  const artifacts = await fileSystemLoadHandler(dir).load!();
  const data = new Float32Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!));
  let offset = 0;
  const weights = (artifacts.weightSpecs ?? []).map((spec) => {
    if (spec.dtype !== 'float32' || spec.quantization) throw new Error(`${path.join(dir, MODEL_JSON)}: weight ${spec.name} is ${spec.quantization?.dtype ?? spec.dtype}; only float32 weights export`);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const values = data.slice(offset, offset + n);
    offset += n;
    return { name: spec.name, values, shape: [...spec.shape] };
  });
  let run: ExportSource['run'] = null;
  if (resolved.runDir && path.basename(path.dirname(dir)) === 'checkpoints') {
    const runDir = resolved.runDir;
    const history = await fs.readFile(path.join(runDir, HISTORY_FILE), 'utf8').catch(() => '');
    run = { config: await readRunConfig(runDir), state: await readCheckpointState(dir), adam: await readAdamState(dir), history };
  }
  return { requested: resolved.requested, dir, runDir: resolved.runDir, model, preset, weights, run };
}
