import type { AxisSpan } from './tiling';

/**
 * Feathered blending weights along one axis. Where two tiles overlap, each tile's weight rises
 * linearly from 0 to 1 across the overlap, after a dead zone next to its own edge (where a
 * convolution's zero padding makes its output least reliable). Two overlapping ramps sum to exactly 1;
 * where three tiles meet, the separable normaliser (axisWeightSums) divides the excess out.
 * Image borders have no neighbour and weight 1, so a single tile is passed through unchanged.
 */

/** Fraction of an overlap, next to each tile edge, where that tile has (almost) no say. */
export const DEAD_ZONE = 0.25;
/** Floor that keeps every weight positive, so the normaliser can never be 0. */
const MIN_WEIGHT = 1e-6;

function ramp(t: number): number {
  const r = (t - DEAD_ZONE) / (1 - 2 * DEAD_ZONE);
  return Math.min(1, Math.max(MIN_WEIGHT, r));
}

/** The weights of span `i` for its `length` pixels. */
export function axisWeights(spans: readonly AxisSpan[], i: number): Float32Array {
  const span = spans[i];
  if (!span) throw new Error(`feather: no span ${i}`);
  const prev = spans[i - 1];
  const next = spans[i + 1];
  const w = new Float32Array(span.length).fill(1);
  if (prev) {
    const overlap = prev.start + prev.length - span.start;
    for (let p = 0; p < Math.min(overlap, span.length); p++) w[p] = Math.min(w[p]!, ramp((p + 0.5) / overlap));
  }
  if (next) {
    const overlap = span.start + span.length - next.start;
    for (let q = 0; q < Math.min(overlap, span.length); q++) {
      const p = span.length - 1 - q;
      w[p] = Math.min(w[p]!, ramp((q + 0.5) / overlap));
    }
  }
  return w;
}

/** Per position along the axis: the sum of all spans' weights there (the blend's normaliser). */
export function axisWeightSums(spans: readonly AxisSpan[], size: number): Float32Array {
  const sums = new Float32Array(size);
  spans.forEach((span, i) => {
    const w = axisWeights(spans, i);
    for (let p = 0; p < span.length; p++) sums[span.start + p]! += w[p]!;
  });
  return sums;
}
