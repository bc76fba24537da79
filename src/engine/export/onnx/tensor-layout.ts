/** Reorders a row-major tensor's axes: out[i_perm[0], …] = in[i_0, …] (numpy's transpose(perm)). */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): { data: Float32Array; shape: number[] } {
  if (perm.length !== shape.length) throw new Error(`permute: ${perm.length} axes for a rank-${shape.length} tensor`);
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = stridesOf(shape);
  const outStrides = stridesOf(outShape);
  // stride in the input of each output axis
  const step = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(data.length);
  const index = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    let rest = o;
    for (let a = 0; a < outShape.length; a++) {
      index[a] = Math.floor(rest / outStrides[a]!);
      rest -= index[a]! * outStrides[a]!;
      src += index[a]! * step[a]!;
    }
    out[o] = data[src]!;
  }
  return { data: out, shape: outShape };
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let a = shape.length - 2; a >= 0; a--) strides[a] = strides[a + 1]! * shape[a + 1]!;
  return strides;
}
