import { InputSizeError } from './errors';
import type * as tf from './tf';

/** Which image sizes a model takes: exactly one size, or any size that is a multiple of its total stride. */
export interface InputConstraint {
  fixed?: { width: number; height: number };
  multipleOf?: number;
}

export function describeInputConstraint(c: InputConstraint): string {
  if (c.fixed) return `only ${c.fixed.width}×${c.fixed.height} (width×height) inputs`;
  if (c.multipleOf && c.multipleOf > 1) return `any size whose width and height are multiples of ${c.multipleOf}`;
  return 'any size';
}

export function inputFits(c: InputConstraint, width: number, height: number): boolean {
  if (c.fixed) return width === c.fixed.width && height === c.fixed.height;
  const m = c.multipleOf ?? 1;
  return width > 0 && height > 0 && width % m === 0 && height % m === 0;
}

/** Throws an InputSizeError naming the model, the size it got and the sizes it takes. */
export function assertInputFits(c: InputConstraint, width: number, height: number, modelName = 'model'): void {
  if (inputFits(c, width, height)) return;
  throw new InputSizeError(`${modelName} takes ${describeInputConstraint(c)}; got ${width}×${height}`);
}

/** The smallest size ≥ the given one that the model takes (pad to it, then crop the output back); a fixed-size model needs its one size (resize or tile larger images). */
export function paddedSizeFor(c: InputConstraint, width: number, height: number): { width: number; height: number } {
  if (c.fixed) return { ...c.fixed };
  const m = c.multipleOf ?? 1;
  return { width: Math.ceil(width / m) * m, height: Math.ceil(height / m) * m };
}

// Layers that shrink the feature map by their stride (transposed convolutions enlarge it).
const DOWNSAMPLING_LAYERS = new Set(['Conv2D', 'SeparableConv2D', 'DepthwiseConv2D', 'MaxPooling2D', 'AveragePooling2D']);

/**
 * The constraint a built or loaded model puts on its input: its fixed input size if it has one,
 * otherwise the product of its downsampling strides. For a U-Net that product is exactly the
 * needed multiple; for models with parallel downsampling branches it over-estimates, which is safe.
 */
export function inputConstraintOf(model: tf.LayersModel): InputConstraint {
  const [, height, width] = model.inputs[0]?.shape ?? [];
  if (typeof height === 'number' && typeof width === 'number') return { fixed: { width, height } };
  let multipleOf = 1;
  for (const layer of model.layers) {
    if (!DOWNSAMPLING_LAYERS.has(layer.getClassName())) continue;
    const strides = (layer.getConfig() as { strides?: number | number[] }).strides ?? 1;
    multipleOf *= Math.max(...(Array.isArray(strides) ? strides : [strides]));
  }
  return { multipleOf };
}
