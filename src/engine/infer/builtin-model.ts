import { readModelMetadataOf, type MethodResult } from '../../shared/contract';
import { readModelJson } from '../models/io';
import { defaultModelDir } from './model-source';

export type BuiltinModelInfo = MethodResult<'models.builtin'>;

/**
 * What the app ships as its default model: read from model.json alone (no weights, no tensors), so
 * the Deblur view can offer it, with its parameter count and a one-line summary, before any training.
 */
export async function describeBuiltinModel(dir = defaultModelDir()): Promise<BuiltinModelInfo> {
  try {
    const json = await readModelJson(dir);
    const meta = readModelMetadataOf(json.userDefinedMetadata);
    const params = json.weightsManifest.flatMap((g) => g.weights).reduce((n, w) => n + w.shape.reduce((a, d) => a * d, 1), 0);
    return {
      installed: true,
      dir,
      model: meta.model ?? null,
      preset: meta.preset ?? null,
      params,
      summary: meta.summary ?? null,
      problem: null,
    };
  } catch (err) {
    return { installed: false, dir, model: null, preset: null, params: null, summary: null, problem: (err as Error).message };
  }
}
