import type * as tf from '../runtime/tf';
import { readModelMetadataOf, type ModelMetadata } from '../../shared/contract';
import { loadModel, readModelMetadata } from '../models/io';
import type { TilePredictor, TileShape } from './deblur-image';
import { tileShapeOf } from './model-predictor';
import { resolveModelSource, type ModelSource } from './model-source';
import { openInferRuntime, type InferEngine, type InferOptions } from './ort-runtime';

/** A model ready for inference, with what reports need to say about it. */
export interface InferenceModel {
  model: tf.LayersModel;
  source: ModelSource;
  shape: TileShape;
  /** model.json's userDefinedMetadata read through the contract's schema (architecture, preset, training facts …), {} if none */
  metadata: ModelMetadata;
  params: number;
}

/**
 * Resolves a `model` parameter (see model-source.ts) and loads it. Errors name the folder and what is
 * wrong with it (missing or corrupt model.json, missing or truncated weights). The caller selects the
 * runtime first and disposes `model` when done.
 */
export async function loadInferenceModel(spec: string): Promise<InferenceModel> {
  const source = await resolveModelSource(spec);
  const metadata = readModelMetadataOf(await readModelMetadata(source.dir));
  const model = await loadModel(source.dir);
  try {
    const shape = tileShapeOf(model, metadata.inputConstraint?.multipleOf);
    return { model, source, shape, metadata, params: model.countParams() };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** A loaded model with the runtime that runs it (ONNX Runtime or TF.js, see ort-runtime.ts). */
export interface RunnableModel extends InferenceModel {
  predict: TilePredictor;
  engine: InferEngine;
  /** releases the ONNX session and the TF.js model */
  dispose(): Promise<void>;
}

/** loadInferenceModel, then the inference runtime chosen for it; the caller calls dispose(). */
export async function loadRunnableModel(spec: string, opts: InferOptions = {}): Promise<RunnableModel> {
  const loaded = await loadInferenceModel(spec);
  try {
    const engine = await openInferRuntime(loaded, opts);
    return {
      ...loaded,
      predict: engine.predict,
      engine,
      dispose: async () => {
        await engine.release();
        loaded.model.dispose();
      },
    };
  } catch (err) {
    loaded.model.dispose();
    throw err;
  }
}
