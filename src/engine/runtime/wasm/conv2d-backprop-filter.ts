/**
 * Conv2DBackpropFilter (missing in tfjs-backend-wasm) as one forward XNNPACK convolution:
 * dW[kh,kw,ci,co] = Σ_{b,oy,ox} x[b, oy·s+kh−pad, ox·s+kw−pad, ci]·dy[b,oy,ox,co]
 * is a convolution of xᵀ [ci,H,W,b] (batch ci, channels b) with dyᵀ [oh,ow,b,co] as a filter
 * dilated by the stride; its output [ci,kh,kw,co] is transposed to [kh,kw,ci,co].
 */
import { backend_util } from '../tf';
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelConfig, TensorInfo } from '../tf';
import { filterGradAxis } from './conv-geometry';
import { withKernelScope } from './kernel-scope';

export function conv2dBackpropFilter(
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs,
  backend: KernelBackend,
  backendName: string,
): TensorInfo {
  return withKernelScope(backend, backendName, (s) => {
    const nchw = attrs.dataFormat === 'NCHW';
    const xh = nchw ? s.transpose(x, [0, 2, 3, 1]) : x;
    const dyh = nchw ? s.transpose(dy, [0, 2, 3, 1]) : dy;
    const [batch, inH, inW, inC] = xh.shape as [number, number, number, number];
    const [kh, kw, , outC] = attrs.filterShape;
    const info = backend_util.computeConv2DInfo(
      [batch, inH, inW, inC], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false,
      'channelsLast',
    );
    const rows = filterGradAxis(inH, kh, info.strideHeight, info.padInfo.top, info.outHeight);
    const cols = filterGradAxis(inW, kw, info.strideWidth, info.padInfo.left, info.outWidth);

    const xt = s.transpose(s.slice(xh, [0, 0, 0, 0], [batch, rows.inLength, cols.inLength, inC]), [3, 1, 2, 0]);
    const dyt = s.transpose(dyh, [1, 2, 0, 3]);
    const dw = s.run('Conv2D', { x: xt, filter: dyt }, {
      strides: [1, 1],
      pad: [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
    });
    if (dw.shape[1] !== kh || dw.shape[2] !== kw || dw.shape[3] !== outC) {
      throw new Error(`Conv2DBackpropFilter: internal shape error, got ${dw.shape} for filter ${attrs.filterShape}`);
    }
    return s.transpose(dw, [1, 2, 0, 3]);
  });
}

export function conv2dBackpropFilterKernel(backendName: string): KernelConfig {
  return {
    kernelName: 'Conv2DBackpropFilter',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) =>
      conv2dBackpropFilter(
        inputs.x as TensorInfo,
        inputs.dy as TensorInfo,
        attrs as unknown as Conv2DBackpropFilterAttrs,
        backend as KernelBackend,
        backendName,
      ),
  };
}
