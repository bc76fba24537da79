/**
 * MaxPoolGrad for wasm. tfjs-backend-wasm 4.22's own kernel starts its running maximum at 0, so a
 * window whose values are all negative passes no gradient at all (its MaxPoolWithArgmax has the
 * same flaw). This one routes each dy to the first maximum of its window in row-major order, like
 * the cpu backend: one strided slice and comparison per window tap, then all taps are scattered back
 * at once as a depthwise transposed convolution with a one-hot filter.
 */
import type { KernelBackend, KernelConfig, MaxPoolGradAttrs, TensorInfo } from '../tf';
import { backend_util } from '../tf';
import { depthwiseBackpropInput } from './depthwise-backprop';
import { withKernelScope } from './kernel-scope';

export function maxPoolGrad(
  dy: TensorInfo,
  x: TensorInfo,
  y: TensorInfo,
  attrs: MaxPoolGradAttrs,
  backend: KernelBackend,
  backendName: string,
): TensorInfo {
  const [batch, inH, inW, channels] = x.shape as [number, number, number, number];
  const info = backend_util.computePool2DInfo(
    [batch, inH, inW, channels], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const taps = kh * kw;

  const routed = withKernelScope(backend, backendName, (s) => {
    const spanH = (oh - 1) * sh + kh;
    const spanW = (ow - 1) * sw + kw;
    // Padding never wins a window: it is -Infinity.
    const xp = s.slice(
      s.run('PadV2', { x }, {
        paddings: [[0, 0], [top, Math.max(0, spanH - inH - top)], [left, Math.max(0, spanW - inW - left)], [0, 0]],
        constantValue: -Infinity,
      }),
      [0, 0, 0, 0], [batch, spanH, spanW, channels],
    );
    let taken: TensorInfo | null = null;
    const perTap: TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const window = s.run('StridedSlice', { x: xp }, {
          begin: [0, i, j, 0], end: [batch, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, channels], strides: [1, sh, sw, 1],
          beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
        });
        const isMax = s.run('Equal', { a: window, b: y });
        const wins: TensorInfo = taken == null ? isMax : s.run('LogicalAnd', { a: isMax, b: s.run('LogicalNot', { x: taken }) });
        taken = taken == null ? wins : s.run('LogicalOr', { a: taken, b: wins });
        perTap.push(s.run('Multiply', { a: dy, b: s.run('Cast', { x: wins }, { dtype: 'float32' }) }));
      }
    }
    // [b,oh,ow,c,tap] → channels c·taps + tap, the depthwise layout with multiplier = taps.
    return s.reshape(s.run('Pack', perTap, { axis: 4 }), [batch, oh, ow, channels * taps]);
  });
  try {
    const oneHot = new Float32Array(kh * kw * channels * taps);
    for (let t = 0; t < taps; t++) for (let c = 0; c < channels; c++) oneHot[(t * channels + c) * taps + t] = 1;
    const filterShape = [kh, kw, channels, taps];
    const filter: TensorInfo = { dataId: backend.write(oneHot, filterShape, 'float32'), shape: filterShape, dtype: 'float32' };
    try {
      return depthwiseBackpropInput(routed, filter, {
        strides: [sh, sw], pad: attrs.pad, dimRoundingMode: attrs.dimRoundingMode, dilations: 1,
        inputShape: [batch, inH, inW, channels],
      }, backend, backendName);
    } finally {
      backend.disposeData(filter.dataId);
    }
  } finally {
    backend.disposeData(routed.dataId);
  }
}

export function maxPoolGradKernel(backendName: string): KernelConfig {
  return {
    kernelName: 'MaxPoolGrad',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) =>
      maxPoolGrad(
        inputs.dy as TensorInfo, inputs.input as TensorInfo, inputs.output as TensorInfo,
        attrs as unknown as MaxPoolGradAttrs, backend as KernelBackend, backendName,
      ),
  };
}
