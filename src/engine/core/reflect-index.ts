/**
 * Reflect-101 index (gfedcb|abcdefgh|gfedcba), repeated for pads wider than the image, so any
 * coordinate maps into [0, n). The same border rule as the Gaussian blur the models were trained on.
 */
export function reflectIndex(p: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let q = p % period;
  if (q < 0) q += period;
  return q < n ? q : period - q;
}
