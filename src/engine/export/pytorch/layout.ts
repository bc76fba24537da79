/**
 * Weight layouts between TensorFlow.js (NHWC models) and PyTorch (NCHW modules):
 *   Conv2D kernel          [kh, kw, in, out]  ↔  Conv2d.weight           [out, in, kh, kw]
 *   Conv2DTranspose kernel [kh, kw, out, in]  ↔  ConvTranspose2d.weight  [in, out, kh, kw]
 *   Dense kernel           [in, out]          ↔  Linear.weight           [out, in]
 *   biases                 [n]                ↔  [n]
 * Both 4-D cases are the same axis permutation (3, 2, 0, 1), so the layout depends on the rank alone.
 */
const TO_TORCH: Record<number, readonly number[]> = { 1: [0], 2: [1, 0], 4: [3, 2, 0, 1] };
const FROM_TORCH: Record<number, readonly number[]> = { 1: [0], 2: [1, 0], 4: [2, 3, 1, 0] };

export interface Tensor32 {
  values: Float32Array;
  shape: number[];
}

export function toTorchLayout(t: Tensor32, name: string): Tensor32 {
  return permute(t, axesFor(TO_TORCH, t.shape, name));
}

export function fromTorchLayout(t: Tensor32, name: string): Tensor32 {
  return permute(t, axesFor(FROM_TORCH, t.shape, name));
}

/** The torch shape of a TF.js weight of this shape. */
export function torchShapeOf(tfShape: readonly number[], name: string): number[] {
  return axesFor(TO_TORCH, tfShape, name).map((a) => tfShape[a]!);
}

/** `head/kernel` → `head.weight`, `head/bias` → `head.bias` (model.py names its modules after the app's layers). */
export function torchNameOf(tfName: string): string {
  const slash = tfName.lastIndexOf('/');
  const layer = tfName.slice(0, slash);
  const kind = tfName.slice(slash + 1);
  if (slash <= 0 || (kind !== 'kernel' && kind !== 'bias')) throw new Error(`weight "${tfName}" is not a layer's kernel or bias: no PyTorch name for it`);
  return `${layer}.${kind === 'kernel' ? 'weight' : 'bias'}`;
}

function axesFor(table: Record<number, readonly number[]>, shape: readonly number[], name: string): readonly number[] {
  const axes = table[shape.length];
  if (!axes) throw new Error(`weight "${name}" has rank ${shape.length} ([${shape.join(', ')}]); only biases, Dense and 2-D convolution kernels convert`);
  return axes;
}

/** out[i_axes[0], …] = in[i_0, …]: a transpose of a row-major tensor (numpy's transpose(axes)). */
export function permute(t: Tensor32, axes: readonly number[]): Tensor32 {
  const { shape, values } = t;
  const n = shape.reduce((a, b) => a * b, 1);
  if (values.length !== n) throw new Error(`tensor of shape [${shape.join(', ')}] needs ${n} values, has ${values.length}`);
  const outShape = axes.map((a) => shape[a]!);
  if (axes.every((a, i) => a === i)) return { values: Float32Array.from(values), shape: outShape };
  const inStrides = stridesOf(shape);
  const stepOf = axes.map((a) => inStrides[a]!); // input stride of each output axis
  const out = new Float32Array(n);
  const index = new Array<number>(outShape.length).fill(0);
  let src = 0;
  for (let o = 0; o < n; o++) {
    out[o] = values[src]!;
    // Odometer over the output index, moving the input offset along.
    for (let d = outShape.length - 1; d >= 0; d--) {
      index[d]! += 1;
      src += stepOf[d]!;
      if (index[d]! < outShape[d]!) break;
      src -= stepOf[d]! * outShape[d]!;
      index[d] = 0;
    }
  }
  return { values: out, shape: outShape };
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  return strides;
}
