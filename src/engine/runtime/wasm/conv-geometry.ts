/**
 * Index arithmetic that turns the two convolution gradients into forward convolutions, one
 * spatial axis at a time. Forward convolution along an axis: out[o] = Σ_k in[o·s + k − padBefore]·w[k].
 */

/** How to compute dW of one axis as a stride-1 convolution of x (dilated by s) with dy as filter. */
export interface FilterGradAxis {
  /** Rows of x that take part (x is cut to this length when it is shorter than x). */
  inLength: number;
  padBefore: number;
  padAfter: number;
}

export function filterGradAxis(
  inLength: number,
  kernel: number,
  stride: number,
  padBefore: number,
  outLength: number,
): FilterGradAxis {
  // A conv with dilation `stride` over outLength taps yields inLength + padBefore + padAfter
  // − (outLength − 1)·stride outputs; it must yield `kernel` of them.
  const padAfter = kernel + (outLength - 1) * stride - inLength - padBefore;
  if (padAfter >= 0) return { inLength, padBefore, padAfter };
  return { inLength: inLength + padAfter, padBefore, padAfter: 0 };
}

/**
 * dx of one axis as a stride-1 convolution of dy with a combined filter that yields all `stride`
 * phases of dx at once (sub-pixel form of the transposed convolution): with u = y + padBefore =
 * s·Q + R, dx[y] = Σ_t dy[Q − t]·w[s·t + R], t < taps = ceil(kernel / s).
 */
export interface InputGradAxis {
  taps: number;
  /** First and count of the dy rows read (after cropping). */
  dyBegin: number;
  dyLength: number;
  padBefore: number;
  padAfter: number;
  /** Number of super-rows Q computed; the interleaved result has outRows·stride rows. */
  outRows: number;
  /** dx starts this many rows into the interleaved result. */
  offset: number;
}

export function inputGradAxis(
  inLength: number,
  kernel: number,
  stride: number,
  padBefore: number,
  outLength: number,
): InputGradAxis | null {
  const taps = Math.ceil(kernel / stride);
  const q0 = Math.floor(padBefore / stride);
  const q1 = Math.floor((padBefore + inLength - 1) / stride);
  const first = q0 - (taps - 1); // first dy row the window reads (may be in the padding)
  const last = q1; // last dy row read
  const dyBegin = Math.max(0, first);
  const dyEnd = Math.min(last, outLength - 1);
  if (dyEnd < dyBegin) return null; // no dy row reaches dx: the gradient is all zeros
  return {
    taps,
    dyBegin,
    dyLength: dyEnd - dyBegin + 1,
    padBefore: Math.max(0, -first),
    padAfter: Math.max(0, last - (outLength - 1)),
    outRows: q1 - q0 + 1,
    offset: padBefore - stride * q0,
  };
}
