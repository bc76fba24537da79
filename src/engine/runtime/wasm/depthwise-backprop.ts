/**
 * The two gradients of DepthwiseConv2dNative (missing in tfjs-backend-wasm), used by the
 * DepthwiseConv2D and SeparableConv2D layers. Only dilation 1, as in tfjs-core's gradient.
 */
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInputAttrs,
  KernelBackend,
  KernelConfig,
  TensorInfo,
} from '../tf';
import { backend_util } from '../tf';
import { inputGradAxis } from './conv-geometry';
import { interleavePhases, phaseFilter } from './conv2d-backprop-input';
import { withKernelScope } from './kernel-scope';

function assertNoDilation(dilations: number | [number, number] | undefined, kernel: string): void {
  const d = dilations == null ? [1, 1] : typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (d[0] !== 1 || d[1] !== 1) throw new Error(`${kernel}: dilations other than 1 are not supported (got ${d})`);
}

/**
 * dx as one depthwise convolution of dy (channels c·m) with the phase-combined flipped filter as
 * channel multiplier (one output per phase), then a sum over m and the phase interleave.
 */
export function depthwiseBackpropInput(
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: DepthwiseConv2dNativeBackpropInputAttrs,
  backend: KernelBackend,
  backendName: string,
): TensorInfo {
  assertNoDilation(attrs.dilations, 'DepthwiseConv2dNativeBackpropInput');
  return withKernelScope(backend, backendName, (s) => {
    const [batch, inH, inW, inC] = attrs.inputShape;
    const [kh, kw, , mult] = filter.shape as [number, number, number, number];
    const info = backend_util.computeConv2DInfo(
      attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad,
      attrs.dimRoundingMode, true,
    );
    const sh = info.strideHeight;
    const sw = info.strideWidth;
    const rows = inputGradAxis(inH, kh, sh, info.padInfo.top, info.outHeight);
    const cols = inputGradAxis(inW, kw, sw, info.padInfo.left, info.outWidth);
    if (rows == null || cols == null) {
      return s.run('Fill', {}, { shape: [batch, inH, inW, inC], value: 0, dtype: 'float32' });
    }
    const phases = sh * sw;
    // phaseFilter treats [kh,kw,c,m] as [kh,kw,a=c,b=m]: → [th,tw,m,phases·c]; reorder to the
    // depthwise layout [th,tw,c·m,phases].
    const combined = phaseFilter(s, filter, sh, sw, rows.taps, cols.taps);
    const dwFilter = s.reshape(
      s.transpose(s.reshape(combined, [rows.taps, cols.taps, mult, phases, inC]), [0, 1, 4, 2, 3]),
      [rows.taps, cols.taps, inC * mult, phases],
    );
    const dyc = s.slice(dy, [0, rows.dyBegin, cols.dyBegin, 0], [batch, rows.dyLength, cols.dyLength, inC * mult]);
    const z = s.run('DepthwiseConv2dNative', { x: dyc, filter: dwFilter }, {
      strides: [1, 1],
      pad: [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    });
    const [, qh, qw] = z.shape as [number, number, number, number];
    // z channels: (c·m + m')·phases + p → sum over m' → [.., c, phases] → phase-major [.., phases, c].
    let perPixel = s.reshape(z, [batch * qh * qw, inC, mult, phases]);
    perPixel = mult > 1 ? s.run('Sum', { x: perPixel }, { axis: [2], keepDims: false }) : s.reshape(perPixel, [batch * qh * qw, inC, phases]);
    const phaseMajor = phases > 1 ? s.transpose(perPixel, [0, 2, 1]) : perPixel;
    const interleaved = interleavePhases(s, s.reshape(phaseMajor, [batch, qh, qw, phases * inC]), sh, sw);
    return s.slice(interleaved, [0, rows.offset, cols.offset, 0], [batch, inH, inW, inC]);
  });
}

/** dW[kh,kw,c,m] = Σ x(shifted by kh,kw; strided)·dy, one strided slice, product and sum per tap. */
export function depthwiseBackpropFilter(
  x: TensorInfo,
  dy: TensorInfo,
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs,
  backend: KernelBackend,
  backendName: string,
): TensorInfo {
  assertNoDilation(attrs.dilations, 'DepthwiseConv2dNativeBackpropFilter');
  return withKernelScope(backend, backendName, (s) => {
    const [batch, inH, inW, inC] = x.shape as [number, number, number, number];
    const [kh, kw, , mult] = attrs.filterShape;
    const info = backend_util.computeConv2DInfo(
      [batch, inH, inW, inC], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, true,
    );
    const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
    const spanH = (oh - 1) * sh + kh;
    const spanW = (ow - 1) * sw + kw;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const xp = s.slice(
      s.pad(x, [[0, 0], [top, Math.max(0, spanH - inH - top)], [left, Math.max(0, spanW - inW - left)], [0, 0]]),
      [0, 0, 0, 0], [batch, spanH, spanW, inC],
    );
    const dy5 = s.reshape(dy, [batch, oh, ow, inC, mult]);
    const taps: TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const shifted = s.run('StridedSlice', { x: xp }, {
          begin: [0, i, j, 0], end: [batch, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, inC], strides: [1, sh, sw, 1],
          beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
        });
        const product = s.run('Multiply', { a: s.reshape(shifted, [batch, oh, ow, inC, 1]), b: dy5 });
        taps.push(s.run('Sum', { x: product }, { axis: [0, 1, 2], keepDims: false }));
      }
    }
    return s.reshape(s.run('Pack', taps, { axis: 0 }), [kh, kw, inC, mult]);
  });
}

export function depthwiseBackpropInputKernel(backendName: string): KernelConfig {
  return {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) =>
      depthwiseBackpropInput(
        inputs.dy as TensorInfo, inputs.filter as TensorInfo,
        attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs, backend as KernelBackend, backendName,
      ),
  };
}

export function depthwiseBackpropFilterKernel(backendName: string): KernelConfig {
  return {
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) =>
      depthwiseBackpropFilter(
        inputs.x as TensorInfo, inputs.dy as TensorInfo,
        attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs, backend as KernelBackend, backendName,
      ),
  };
}
