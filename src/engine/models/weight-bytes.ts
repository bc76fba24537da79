import type * as tf from './tf';

// Bytes per stored element, as TF.js encodes weights (quantized weights store their quantized type).
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/** The exact byte length a weights file must have for these manifest entries. */
export function expectedWeightBytes(specs: readonly tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const spec of specs) {
    const elements = spec.shape.reduce((n, d) => n * d, 1);
    const q = spec.quantization?.dtype;
    const bytes = q ? QUANTIZED_BYTES[q] : DTYPE_BYTES[spec.dtype];
    if (bytes === undefined) {
      throw new Error(`weight "${spec.name}": dtype ${q ?? spec.dtype} is not supported in a layers model file`);
    }
    total += elements * bytes;
  }
  return total;
}
