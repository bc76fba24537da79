import * as tf from '../runtime/tf';
import type { RawImage } from '../image/raw-image';
import { deblurTiled, type DeblurImageOptions, type TilePredictor, type TileShape } from './deblur-image';

/** Runs a Keras-style image model on one tile; every tensor is disposed before the next tile. */
export function modelPredictor(model: tf.LayersModel): TilePredictor {
  return async (input, width, height) => {
    const x = tf.tensor4d(input, [1, height, width, 3]);
    let y: tf.Tensor | undefined;
    try {
      const out = model.predict(x);
      if (Array.isArray(out)) {
        out.forEach((t) => t.dispose());
        throw new Error(`model ${model.name} has ${out.length} outputs; an image model has one`);
      }
      y = out;
      const data = await y.data();
      if (!(data instanceof Float32Array)) throw new Error(`model ${model.name} returned ${y.dtype} values, expected float32`);
      return data;
    } finally {
      x.dispose();
      y?.dispose();
    }
  };
}

/**
 * The input sizes a loaded model takes, read from the model itself: a model whose input shape names
 * a height and width is fixed-size; otherwise it is fully convolutional and its sides must be
 * multiples of the product of its strides (2^levels for a U-Net), unless the caller knows better.
 */
export function tileShapeOf(model: tf.LayersModel, multipleOf?: number): TileShape {
  const shape = model.inputs[0]?.shape;
  if (!shape || shape.length !== 4) throw new Error(`model ${model.name} does not take images (input shape ${JSON.stringify(shape)})`);
  const [, height, width, channels] = shape;
  if (channels !== 3) throw new Error(`model ${model.name} takes ${channels ?? 'any number of'} channels; only RGB (3) models can deblur photos`);
  if (typeof height === 'number' && typeof width === 'number') return { fixed: { width, height } };
  return { multipleOf: multipleOf ?? strideProduct(model) };
}

/** Product of the strides of the downsampling layers: for an encoder–decoder, the input multiple it needs. */
function strideProduct(model: tf.LayersModel): number {
  let product = 1;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Conv2D' && layer.getClassName() !== 'MaxPooling2D' && layer.getClassName() !== 'AveragePooling2D') continue;
    const config = layer.getConfig() as { strides?: number | number[] };
    const strides = Array.isArray(config.strides) ? config.strides : [config.strides ?? 1];
    product *= Math.max(...strides.map((s) => s ?? 1));
  }
  return product;
}

/** deblurTiled with a loaded model: tiles fitted to the model's input constraint. */
export async function deblurImage(model: tf.LayersModel, rgb: RawImage, opts: DeblurImageOptions & { shape?: TileShape } = {}): Promise<RawImage> {
  return deblurTiled(modelPredictor(model), rgb, opts.shape ?? tileShapeOf(model), opts);
}
