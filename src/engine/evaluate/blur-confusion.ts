import { BLUR_LEVELS } from '../../shared/contract/primitives';
import { CONFUSION_LEVELS, type BlurEstimation, type ImageRow } from '../../shared/contract/evaluation';

/** The course level (3, 7 or 11) a row was blurred with, or null when its blur is not one of them (another σ, or unknown). */
export function trueCourseLevel(row: Pick<ImageRow, 'kernel' | 'sigma'>): 3 | 7 | 11 | null {
  const k = CONFUSION_LEVELS.find((level) => level === row.kernel);
  if (k === undefined) return null;
  // a prepared set may use its own σ for a kernel size: then it is not the course's level
  return row.sigma === null || row.sigma === BLUR_LEVELS[k] ? k : null;
}

/**
 * Estimated vs true blur level, a confusion table over the images whose true level is a course level;
 * null when there is none (a course-layout set, where the level is unknown).
 */
export function summarizeBlurEstimation(rows: ReadonlyArray<Pick<ImageRow, 'kernel' | 'sigma' | 'blur'>>): BlurEstimation | null {
  const confusion = CONFUSION_LEVELS.map(() => CONFUSION_LEVELS.map(() => 0));
  let known = 0;
  let notEstimated = 0;
  for (const row of rows) {
    const truth = trueCourseLevel(row);
    if (truth === null) continue;
    known++;
    if (!row.blur) {
      notEstimated++;
      continue;
    }
    confusion[CONFUSION_LEVELS.indexOf(truth)]![CONFUSION_LEVELS.indexOf(row.blur.level.ksize)]!++;
  }
  if (known === 0) return null;
  const correct = CONFUSION_LEVELS.reduce((n, _k, i) => n + confusion[i]![i]!, 0);
  const total = known - notEstimated;
  return { levels: [3, 7, 11], confusion, correct, total, notEstimated, accuracy: total > 0 ? correct / total : null };
}
