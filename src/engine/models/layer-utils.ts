import type * as tf from './tf';

/** tfjs-layers does not export its Layer base class; this is the part of it the functional API needs. */
export interface Layer {
  apply(inputs: tf.SymbolicTensor | tf.SymbolicTensor[]): unknown;
}

/** Applies a layer in the functional API, where every layer of the zoo returns one symbolic tensor. */
export function applyLayer(layer: Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
  return layer.apply(x) as tf.SymbolicTensor;
}
