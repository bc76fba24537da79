/**
 * UnsortedSegmentSum (missing in tfjs-backend-wasm; the gradient of gather, hence of Embedding):
 * out[k] = Σ_{i: ids[i] = k} x[i] as oneHot(ids)ᵀ · x, one matrix product. Ids outside
 * [0, numSegments) get an all-zero one-hot row, so they are dropped, as in TensorFlow.
 */
import type { KernelBackend, KernelConfig, TensorInfo, UnsortedSegmentSumAttrs } from '../tf';
import { withKernelScope } from './kernel-scope';

export function unsortedSegmentSum(
  x: TensorInfo,
  segmentIds: TensorInfo,
  attrs: UnsortedSegmentSumAttrs,
  backend: KernelBackend,
  backendName: string,
): TensorInfo {
  return withKernelScope(backend, backendName, (s) => {
    const count = segmentIds.shape.reduce((a, b) => a * b, 1);
    const rowShape = x.shape.slice(segmentIds.shape.length);
    const rowSize = rowShape.reduce((a, b) => a * b, 1);
    const ids = segmentIds.dtype === 'int32' ? segmentIds : s.run('Cast', { x: segmentIds }, { dtype: 'int32' });
    // The wasm OneHot kernel writes int32 whatever dtype it is asked for, so cast afterwards.
    const oneHotInt = s.run('OneHot', { indices: s.reshape(ids, [count]) }, {
      depth: attrs.numSegments, onValue: 1, offValue: 0, dtype: 'int32',
    });
    const oneHot = s.run('Cast', { x: oneHotInt }, { dtype: 'float32' });
    const xf = x.dtype === 'float32' ? x : s.run('Cast', { x }, { dtype: 'float32' });
    const sums = s.run('BatchMatMul', {
      a: s.reshape(oneHot, [1, count, attrs.numSegments]),
      b: s.reshape(xf, [1, count, rowSize]),
    }, { transposeA: true, transposeB: false });
    const out = s.reshape(sums, [attrs.numSegments, ...rowShape]);
    return x.dtype === 'float32' ? out : s.run('Cast', { x: out }, { dtype: x.dtype });
  });
}

export function unsortedSegmentSumKernel(backendName: string): KernelConfig {
  return {
    kernelName: 'UnsortedSegmentSum',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) =>
      unsortedSegmentSum(
        inputs.x as TensorInfo, inputs.segmentIds as TensorInfo,
        attrs as unknown as UnsortedSegmentSumAttrs, backend as KernelBackend, backendName,
      ),
  };
}
