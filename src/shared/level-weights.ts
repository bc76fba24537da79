/**
 * The text form of a training run's per-level loss weights, as the CLI (--level-weights) and the Train view
 * take it: "3:10,11:2" ↔ {"3": 10, "11": 2}. The contract (trainParams.levelWeights) checks kernels and weights.
 */
export function parseLevelWeights(text: string): Record<string, number> | null {
  if (text.trim() === '') return null;
  return Object.fromEntries(
    text.split(',').map((pair) => {
      const [kernel, weight, ...rest] = pair.split(':').map((v) => v.trim());
      if (!kernel || !weight || rest.length > 0) throw new Error(`level weights: "${pair.trim()}" is not kernel:weight (e.g. 3:10)`);
      return [kernel, Number(weight)];
    }),
  );
}

export function formatLevelWeights(weights: Record<string, number> | null | undefined): string {
  return weights ? Object.entries(weights).map(([k, w]) => `${k}:${w}`).join(',') : '';
}
