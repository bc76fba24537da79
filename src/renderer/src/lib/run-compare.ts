import type { RunHistoryEntry } from '../../../shared/contract';
import type { Series } from './chart';
import { TrainHistory } from './train-history';

const RUN_COLORS = ['--chart-1', '--chart-2', '--chart-3', '--chart-4'];

/**
 * Several runs' curves on one chart each: the smoothed training loss and the validation PSNR over all levels,
 * one colour per run (cycling after four; the fifth run is drawn dashed so it still reads as a different line).
 */
export function compareSeries(runs: ReadonlyArray<{ name: string; entries: RunHistoryEntry[] }>): { loss: Series[]; psnr: Series[] } {
  const loss: Series[] = [];
  const psnr: Series[] = [];
  runs.forEach((run, i) => {
    const h = new TrainHistory();
    h.addHistory(run.entries);
    const color = RUN_COLORS[i % RUN_COLORS.length]!;
    const dashed = i >= RUN_COLORS.length;
    loss.push({ label: run.name, points: h.lossSmooth, color, dashed });
    psnr.push({ label: run.name, points: h.psnrAll, color, dashed });
  });
  return { loss, psnr };
}
