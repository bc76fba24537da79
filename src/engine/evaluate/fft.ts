/**
 * In-place complex FFT for power-of-two lengths (iterative radix-2 Cooley–Tukey), and a 2-D
 * transform on row-major planes built from it. Small and exact enough for the Wiener baseline,
 * which pads every block to a power-of-two side.
 */

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

interface Plan {
  n: number;
  bitReversed: Uint32Array;
  cos: Float64Array;
  sin: Float64Array;
}

const plans = new Map<number, Plan>();

function planFor(n: number): Plan {
  let plan = plans.get(n);
  if (plan) return plan;
  if (!isPowerOfTwo(n)) throw new Error(`FFT length must be a power of two, got ${n}`);
  const bits = Math.round(Math.log2(n));
  const bitReversed = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
    bitReversed[i] = r;
  }
  // Twiddles e^{-2πik/n} for k < n/2, computed directly (no accumulated rounding from recurrences).
  const cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = -Math.sin((2 * Math.PI * k) / n);
  }
  plan = { n, bitReversed, cos, sin };
  plans.set(n, plan);
  return plan;
}

/**
 * Transforms n complex values at re[offset + i·stride], im[…] in place. Forward: X_k = Σ x_j e^{-2πijk/n};
 * inverse: the conjugate transform divided by n, so inverse(forward(x)) = x.
 */
export function fft1d(re: Float64Array, im: Float64Array, n: number, inverse = false, offset = 0, stride = 1): void {
  if (n === 1) return;
  const { bitReversed, cos, sin } = planFor(n);
  for (let i = 0; i < n; i++) {
    const j = bitReversed[i]!;
    if (j > i) {
      const a = offset + i * stride;
      const b = offset + j * stride;
      const tr = re[a]!;
      re[a] = re[b]!;
      re[b] = tr;
      const ti = im[a]!;
      im[a] = im[b]!;
      im[b] = ti;
    }
  }
  const sign = inverse ? -1 : 1;
  for (let size = 2; size <= n; size *= 2) {
    const half = size / 2;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!;
        const wi = sign * sin[k * step]!;
        const a = offset + (start + k) * stride;
        const b = offset + (start + k + half) * stride;
        const xr = re[b]! * wr - im[b]! * wi;
        const xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      const a = offset + i * stride;
      re[a] = re[a]! / n;
      im[a] = im[a]! / n;
    }
  }
}

/** 2-D FFT of a width × height row-major plane in place: every row, then every column. */
export function fft2d(re: Float64Array, im: Float64Array, width: number, height: number, inverse = false): void {
  if (re.length !== width * height || im.length !== width * height) throw new Error(`fft2d: planes hold ${re.length} values, expected ${width}×${height}`);
  for (let y = 0; y < height; y++) fft1d(re, im, width, inverse, y * width, 1);
  for (let x = 0; x < width; x++) fft1d(re, im, height, inverse, x, width);
}
