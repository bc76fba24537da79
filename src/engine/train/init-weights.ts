import { metadataModelName, readModelMetadataOf } from '../../shared/contract';
import { resolveModelSource } from '../infer/model-source';
import { loadModel, readModelMetadata } from '../models/io';
import { zooRestoration } from '../models/registry';
import type * as tf from '../models/tf';

/**
 * Fine-tuning: copies the weights of a saved model ("default", a model folder or a run folder) into a
 * freshly built zoo model. Only the weights travel (the optimizer starts fresh); they must fit tensor by
 * tensor, so the saved model has to be the same model and preset, and restore the same way: a kernel-aware
 * model's weights refine Wiener outputs, a blind one's undo blur from scratch, though both are the same
 * network. Returns the folder they came from.
 */
export async function loadInitialWeights(spec: string, model: tf.LayersModel, zooModel: string): Promise<string> {
  const source = await resolveModelSource(spec);
  const savedName = metadataModelName(readModelMetadataOf(await readModelMetadata(source.dir)));
  if (savedName !== undefined && savedName !== zooModel) {
    const theirs = zooRestoration(savedName);
    if (theirs !== null && theirs !== zooRestoration(zooModel)) {
      throw new Error(
        `cannot start ${zooModel} from ${source.dir}: that is a ${theirs} model (${savedName}) and ${zooModel} is not; ` +
          `train ${savedName} from it, or start ${zooModel} from a ${theirs === 'blind' ? 'kernel-aware' : 'blind'} model ("default" is kernel-aware, "blind" the blind one)`,
      );
    }
  }
  const saved = await loadModel(source.dir);
  try {
    const from = saved.getWeights();
    const to = model.getWeights();
    const mismatch = from.length !== to.length ? `${from.length} weight tensors, not ${to.length}` : firstShapeMismatch(from, to);
    if (mismatch) {
      throw new Error(`cannot start from ${source.dir}: its weights do not fit ${model.name} (${mismatch}); choose the model and preset it was trained with`);
    }
    model.setWeights(from);
  } finally {
    saved.dispose();
  }
  return source.dir;
}

function firstShapeMismatch(from: tf.Tensor[], to: tf.Tensor[]): string | null {
  const i = from.findIndex((w, k) => w.shape.join('×') !== to[k]!.shape.join('×'));
  return i < 0 ? null : `weight ${i} is ${from[i]!.shape.join('×')}, not ${to[i]!.shape.join('×')}`;
}
