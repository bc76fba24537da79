/**
 * Two wasm kernels that did avoidable work on every training step:
 * - Identity copied its input. The engine clones every tensor a gradient needs (clone = Identity),
 *   so each step copied all activations once more. Tensors are immutable, so the copy now shares the
 *   buffer (reference-counted, as the wasm Reshape kernel already does).
 * - Sum over the leading axes (the bias gradient: Σ over batch, rows and columns) transposed the
 *   whole tensor first. It is now one XNNPACK average pooling over those axes, times their size
 *   (~6× faster; a matrix product would repack its operand on every call); other reductions keep
 *   tfjs's kernel.
 */
import type { KernelBackend, KernelConfig, KernelFunc, SumAttrs, TensorInfo } from '../tf';
import { getKernel, util } from '../tf';
import { withKernelScope } from './kernel-scope';

type RefCountingBackend = KernelBackend & { incRef(dataId: object): void };

export function identityKernel(backendName: string): KernelConfig {
  return {
    kernelName: 'Identity',
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as TensorInfo;
      (backend as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
    },
  };
}

/** Number of leading axes reduced when `axes` is exactly 0..k−1 (k ≥ 1), else 0. */
function leadingAxes(axis: number | number[], shape: number[]): number {
  const axes = util.parseAxisParam(axis, shape).slice().sort((a, b) => a - b);
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

export function sumKernel(backendName: string): KernelConfig {
  const original = getKernel('Sum', backendName);
  if (original == null) throw new Error(`Sum is not registered for '${backendName}'`);
  const fallback: KernelFunc = original.kernelFunc;
  return {
    kernelName: 'Sum',
    backendName,
    kernelFunc: (args) => {
      const x = args.inputs.x as TensorInfo;
      const { axis, keepDims } = args.attrs as unknown as SumAttrs;
      const k = leadingAxes(axis, x.shape);
      const inner = util.sizeFromShape(x.shape.slice(k));
      if (x.dtype !== 'float32' || k === 0 || inner === 1) return fallback(args);
      const outer = util.sizeFromShape(x.shape.slice(0, k));
      const outShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...x.shape.slice(k)] : x.shape.slice(k);
      return withKernelScope(args.backend as KernelBackend, backendName, (s) => {
        const means = s.run('AvgPool', { x: s.reshape(x, [1, outer, 1, inner]) }, {
          filterSize: [outer, 1], strides: 1, pad: 'valid',
        });
        const count = s.run('Fill', {}, { shape: [], value: outer, dtype: 'float32' });
        return s.reshape(s.run('Multiply', { a: means, b: count }), outShape);
      });
    },
  };
}
