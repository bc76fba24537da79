/** Test support: evaluation files without running an evaluation (no TF.js, fast to import). */
import type { EvalFile, ImageRow } from '../../src/engine/evaluate/eval-schema';
import { summarizeEvaluation } from '../../src/engine/evaluate/summarize';

/** A small but complete evaluation file around the given rows (levels in order of appearance). */
export function minimalEval(rows: ImageRow[]): EvalFile {
  const levels = [...new Set(rows.map((r) => r.level))].map((level) => ({ level, kernel: null, sigma: null }));
  return {
    format: 'deblur-studio/evaluation',
    version: 1,
    meta: {
      createdAt: '2026-01-01T00:00:00.000Z',
      app: { name: 'deblur-studio', version: '0.1.0' },
      backend: 'cpu',
      seconds: 1,
      model: { requested: '/m', dir: '/m', name: 'm', architecture: null, params: 1, layers: 1, input: { fixed: null, multipleOf: 8 }, metadata: {}, runDir: null, checkpoint: null },
      training: null,
      testSet: { path: '/t', layout: 'levels' },
      settings: { tile: 512, overlap: 32, metrics: 'm', wiener: { method: 'w', k: { blur_k7: 0.01 }, block: 256, margin: 32 } },
    },
    images: rows,
    summary: summarizeEvaluation(levels, rows),
    examples: [],
    skipped: [],
  };
}
