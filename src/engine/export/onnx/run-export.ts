import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { JobParams, JobResult } from '../../../shared/contract';
import { writeFileAtomic } from '../../fs/atomic';
import { describeFsError } from '../../fs/errors';
import { loadInferenceModel } from '../../infer/load-model';
import { conversionKey } from '../../infer/ort-cache';
import type { JobContext } from '../../jobs/job-context';
import { selectRuntime } from '../../runtime/select';
import { layersModelToOnnx, ONNX_LAYOUT_NOTE } from './convert-layers-model';

/**
 * The `export` job: a model (run folder, model folder or "default") written as one ONNX file. An
 * existing file is replaced only when asked (overwrite); the file appears whole or not at all.
 */
export async function runExport(params: JobParams<'export'>, ctx: JobContext): Promise<JobResult<'export'>> {
  await selectRuntime();
  const out = path.resolve(params.out);
  if (!params.overwrite && (await exists(out))) throw new Error(`${out} already exists; choose another --out or pass --force to replace it`);
  const loaded = await loadInferenceModel(params.model);
  try {
    ctx.progress(0.1, `converting ${loaded.model.name}`);
    const key = await conversionKey(loaded.source.dir);
    const onnx = layersModelToOnnx(loaded.model, { metadata: { 'deblur.source': loaded.source.dir, 'deblur.conversion_key': key } });
    ctx.throwIfCancelled();
    ctx.progress(0.8, `writing ${out}`);
    await writeOutput(out, onnx.bytes, params.overwrite);
    ctx.log('info', `${loaded.model.name} → ${out} (ONNX opset ${onnx.opset}, ${onnx.nodes} nodes: ${onnx.ops.join(', ')})`);
    return { out, bytes: onnx.bytes.byteLength, opset: onnx.opset, nodes: onnx.nodes, ops: onnx.ops, layout: ONNX_LAYOUT_NOTE };
  } finally {
    loaded.model.dispose();
  }
}

const exists = (p: string) => fs.stat(p).then(() => true, () => false);

/** Atomically; without overwrite never over a file (also not one whose name was taken meanwhile). */
async function writeOutput(out: string, bytes: Uint8Array, overwrite: boolean): Promise<void> {
  try {
    await fs.mkdir(path.dirname(out), { recursive: true });
    await writeFileAtomic(out, bytes, { durable: false, exclusive: !overwrite });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${out} already exists; choose another --out or pass --force to replace it`);
    throw describeFsError(err, out, 'write');
  }
}
