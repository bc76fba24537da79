/**
 * Hostile input: an eval.json whose blur fields (issue 13) are out of range, mis-shaped or contradict each other:
 *   a row's estimate with another kernel, a confidence above 1, a negative σ or an extra key; a confusion table that is
 *   not 3×3, holds negative or fractional counts, or whose total, correct count and accuracy disagree with its cells.
 * Fault injected: none beyond the file itself (it goes through the reader every consumer uses: parseEval).
 * What must hold: the file is refused with an error naming the field, so no report, CSV or view shows such numbers;
 *   a file written before blur estimation (no fields at all) is still read.
 */
import { describe, expect, it } from 'vitest';
import { parseEval, serializeEval, type ImageRow } from '../../src/engine/evaluate/eval-schema';
import { minimalEval } from '../integration/eval-support';

const good: ImageRow = {
  name: 'a', level: 'blur_k7', kernel: 7, sigma: 1, width: 448, height: 256, blurred: '/t/blur_k7/a.png', sharp: '/t/sharp/a.png',
  model: { psnr: 30, ssim: 0.9 }, identity: { psnr: 28, ssim: 0.8 }, wiener: null, ms: 1,
  blur: { sigma: 1.05, level: { ksize: 7, sigma: 1, confidence: 0.97 } },
};
type Json = { images: Array<Record<string, unknown>>; summary: Record<string, unknown> };
/** The evaluation of `good` as JSON, changed by `edit`, read back: the error message, or null when it is read. */
function readEdited(edit: (j: Json) => void): string | null {
  const json = JSON.parse(serializeEval(minimalEval([good, { ...good, name: 'b', blur: { sigma: 1.7, level: { ksize: 11, sigma: 1.6, confidence: 0.6 } } }]))) as Json;
  edit(json);
  try {
    parseEval(JSON.stringify(json), 'eval.json');
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
const blurOf = (j: Json) => j.images[0]!.blur as { sigma: number; level: Record<string, unknown> } & Record<string, unknown>;
const tableOf = (j: Json) => j.summary.blurEstimation as { confusion: number[][]; total: number; correct: number; accuracy: number | null } & Record<string, unknown>;

describe('hostile blur fields in eval.json', () => {
  it('reads the untouched file and one that predates blur estimation', () => {
    expect(readEdited(() => {})).toBeNull();
    expect(readEdited((j) => {
      for (const r of j.images) delete r.blur;
      delete j.summary.blurEstimation;
    })).toBeNull();
  });

  it.each([
    ['a kernel that is not a course level', (j: Json) => (blurOf(j).level.ksize = 5), 'images.0.blur.level.ksize'],
    ['a confidence above 1', (j: Json) => (blurOf(j).level.confidence = 1.5), 'images.0.blur.level.confidence'],
    ['a negative σ', (j: Json) => (blurOf(j).sigma = -1), 'images.0.blur.sigma'],
    ['an extra key', (j: Json) => (blurOf(j).note = '<script>'), 'images.0.blur'],
    ['a 2-row table', (j: Json) => tableOf(j).confusion.pop(), 'summary.blurEstimation.confusion'],
    ['a 4-column row', (j: Json) => tableOf(j).confusion[0]!.push(0), 'summary.blurEstimation.confusion.0'],
    ['a negative count', (j: Json) => (tableOf(j).confusion[0]![1] = -1), 'summary.blurEstimation.confusion.0.1'],
    ['a fractional count', (j: Json) => (tableOf(j).confusion[1]![1] = 0.5), 'summary.blurEstimation.confusion.1.1'],
    ['a total the cells do not hold', (j: Json) => (tableOf(j).total = 3), 'summary.blurEstimation.total'],
    ['a correct count off the diagonal', (j: Json) => (tableOf(j).correct = 2), 'summary.blurEstimation.correct'],
    ['an accuracy that is not correct / total', (j: Json) => (tableOf(j).accuracy = 1), 'summary.blurEstimation.accuracy'],
    ['levels in another order', (j: Json) => (tableOf(j).levels = [11, 7, 3]), 'summary.blurEstimation.levels.0'],
  ])('refuses %s, naming the field', (_what, edit, field) => {
    const message = readEdited(edit);
    expect(message).toMatch(/^eval\.json is damaged: /);
    expect(message).toContain(`${field}: `);
  });
});
