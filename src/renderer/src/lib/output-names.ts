import { nameLabel } from '../../../shared/name-label';
import { baseName, dirName, joinPath } from './format';

/**
 * Default output names and places for the Evaluate view. They go under the app's own data folder (writable even
 * when the test set or model is on a read-only disk), and each name says what it holds and when it was made, so
 * a new evaluation never lands on an earlier one.
 */

/** Local date and time to the second, file-name safe: 20261202-001623. */
export function fileStamp(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
}

/** What a model choice is called in a file name: "default" for the built-in one, else its run (or model) folder's name. */
export function modelLabel(model: string): string {
  const m = model.trim().replace(/[\\/]+$/, '');
  if (m === '' || m === 'default') return 'default';
  // a checkpoint inside a run (…/run/checkpoints/best) is named after the run
  const parent = dirName(m);
  const named = baseName(parent) === 'checkpoints' ? baseName(dirName(parent)) : baseName(m);
  return nameLabel(named);
}

/** `<dataDir>/evaluations/eval-<model>-on-<test set>-<date>.json`; '' until both model and test set are chosen. */
export function defaultEvalPath(dataDir: string, model: string, testSet: string, now: Date): string {
  if (!dataDir || !model.trim() || !testSet.trim()) return '';
  const name = `eval-${modelLabel(model)}-on-${nameLabel(baseName(testSet.trim()))}-${fileStamp(now)}.json`;
  return joinPath(joinPath(dataDir, 'evaluations'), name);
}

/** Reports of an evaluation are named after it: eval-x-on-y-date.json → report-x-on-y-date. */
export function defaultReportName(evalFile: string): string {
  const stem = baseName(evalFile).replace(/\.json$/i, '');
  return `report-${stem.replace(/^eval-/, '')}`;
}
