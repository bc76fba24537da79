import type { BlurEstimate } from './contract';

/** One line for a blur estimate, the same in the engine's log, the CLI and the Deblur view. */
export function describeBlur(e: BlurEstimate | null): string {
  if (e === null) return 'estimated blur: unknown (the photo is smaller than 256×256)';
  const k = e.level.ksize;
  return `estimated blur: σ ≈ ${e.sigma.toFixed(1)} (nearest course level ${k}×${k} σ ${e.level.sigma.toFixed(1)}, ${Math.round(e.level.confidence * 100)} % sure)`;
}
