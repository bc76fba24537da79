/**
 * Conv2DBackpropInput (the gradient of Conv2D and the forward pass of Conv2DTranspose) as one
 * forward XNNPACK convolution. tfjs-backend-wasm has this kernel, but as plain loops that run
 * ~13× slower than its Conv2D; this replaces it. For stride s the combined filter produces the s×s
 * output phases as channel groups, which are then interleaved into rows and columns
 * (see inputGradAxis in conv-geometry).
 */
import type { Conv2DBackpropInputAttrs, KernelBackend, KernelConfig, TensorInfo } from '../tf';
import { backend_util } from '../tf';
import { inputGradAxis } from './conv-geometry';
import type { KernelScope } from './kernel-scope';
import { withKernelScope } from './kernel-scope';

/**
 * w [kh,kw,a,b] → [th,tw,b,sh·sw·a], the phase-combined, flipped filter:
 * out[jh,jw,b,(ry·sw+rx)·a+i] = w[sh·(th−1−jh)+ry, sw·(tw−1−jw)+rx, i, b] (0 past the kernel).
 */
export function phaseFilter(s: KernelScope, w: TensorInfo, sh: number, sw: number, th: number, tw: number): TensorInfo {
  const [kh, kw, a, b] = w.shape as [number, number, number, number];
  const padded = s.pad(w, [[0, sh * th - kh], [0, sw * tw - kw], [0, 0], [0, 0]]);
  const split = s.reshape(padded, [th, sh, tw, sw, a, b]);
  const flipped = s.run('Reverse', { x: split }, { dims: [0, 2] });
  const ordered = s.transpose(flipped, [0, 2, 5, 1, 3, 4]);
  return s.reshape(ordered, [th, tw, b, sh * sw * a]);
}

/** z [n,qh,qw,sh·sw·c] (phase-major channels) → [n, qh·sh, qw·sw, c]. */
export function interleavePhases(s: KernelScope, z: TensorInfo, sh: number, sw: number): TensorInfo {
  const [n, qh, qw, phasesTimesC] = z.shape as [number, number, number, number];
  const c = phasesTimesC / (sh * sw);
  if (sh === 1 && sw === 1) return z;
  const rowsFirst = s.transpose(s.reshape(z, [n * qh, qw, sh, sw * c]), [0, 2, 1, 3]);
  return s.reshape(rowsFirst, [n, qh * sh, qw * sw, c]);
}

export function conv2dBackpropInput(
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DBackpropInputAttrs,
  backend: KernelBackend,
  backendName: string,
): TensorInfo {
  return withKernelScope(backend, backendName, (s) => {
    const nchw = attrs.dataFormat === 'NCHW';
    const inShape = (nchw
      ? [attrs.inputShape[0], attrs.inputShape[2], attrs.inputShape[3], attrs.inputShape[1]]
      : attrs.inputShape) as [number, number, number, number];
    const dyh = nchw ? s.transpose(dy, [0, 2, 3, 1]) : dy;
    const [batch, inH, inW, inC] = inShape;
    const [kh, kw] = filter.shape as [number, number, number, number];
    const info = backend_util.computeConv2DInfo(
      inShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad,
      attrs.dimRoundingMode, false, 'channelsLast',
    );
    const sh = info.strideHeight;
    const sw = info.strideWidth;
    const rows = inputGradAxis(inH, kh, sh, info.padInfo.top, info.outHeight);
    const cols = inputGradAxis(inW, kw, sw, info.padInfo.left, info.outWidth);
    let dx: TensorInfo;
    if (rows == null || cols == null) {
      dx = s.run('Fill', {}, { shape: [batch, inH, inW, inC], value: 0, dtype: 'float32' });
    } else {
      const dyc = s.slice(dyh, [0, rows.dyBegin, cols.dyBegin, 0], [batch, rows.dyLength, cols.dyLength, info.outChannels]);
      const z = s.run('Conv2D', { x: dyc, filter: phaseFilter(s, filter, sh, sw, rows.taps, cols.taps) }, {
        strides: [1, 1],
        pad: [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      });
      dx = s.slice(interleavePhases(s, z, sh, sw), [0, rows.offset, cols.offset, 0], [batch, inH, inW, inC]);
    }
    return nchw ? s.transpose(dx, [0, 3, 1, 2]) : dx;
  });
}

export function conv2dBackpropInputKernel(backendName: string): KernelConfig {
  return {
    kernelName: 'Conv2DBackpropInput',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) =>
      conv2dBackpropInput(
        inputs.dy as TensorInfo,
        inputs.filter as TensorInfo,
        attrs as unknown as Conv2DBackpropInputAttrs,
        backend as KernelBackend,
        backendName,
      ),
  };
}
