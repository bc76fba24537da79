import type { EventPayload, RunHistoryEntry } from '../../../shared/contract';
import type { ChartPoint, Series } from './chart';

type Step = EventPayload<'train.step'>;
type Validation = EventPayload<'train.validation'>;

/** Points kept per line; beyond it every other point is dropped, so long runs stay light to draw. */
const MAX_POINTS = 4000;

function append(points: ChartPoint[], p: ChartPoint): void {
  // A resumed run replays from its last checkpoint: drop points the new ones supersede.
  while (points.length > 0 && points[points.length - 1]!.x >= p.x) points.pop();
  if (points.length >= MAX_POINTS) {
    let w = 0;
    for (let r = 0; r < points.length; r += 2) points[w++] = points[r]!;
    points.length = w;
  }
  points.push(p);
}

const LEVEL_COLORS = ['--chart-1', '--chart-2', '--chart-3', '--chart-4'];

/**
 * The curves of one training run, fed by train.step / train.validation events (live) or by runs.history
 * entries (reopened run). Arrays are appended in place; callers bump a revision to redraw.
 */
export class TrainHistory {
  readonly lossRaw: ChartPoint[] = [];
  readonly lossSmooth: ChartPoint[] = [];
  readonly lr: ChartPoint[] = [];
  readonly psnr = new Map<number, { model: ChartPoint[]; identity: ChartPoint[] }>();
  /** overall validation PSNR when the engine reports no per-level numbers */
  readonly psnrAll: ChartPoint[] = [];
  readonly identityAll: ChartPoint[] = [];
  lastStep: Step | null = null;
  lastValidation: Validation | null = null;
  bestPsnr: number | null = null;
  /** the validation with the best PSNR (what the `best` checkpoint holds): the finished run's headline */
  bestValidation: Validation | null = null;

  addStep(s: Step): void {
    append(this.lossRaw, { x: s.step, y: s.loss });
    append(this.lossSmooth, { x: s.step, y: s.smoothedLoss });
    append(this.lr, { x: s.step, y: s.lr });
    this.lastStep = s;
  }

  addValidation(v: Validation): void {
    for (const level of v.byLevel) {
      let lines = this.psnr.get(level.kernel);
      if (!lines) {
        lines = { model: [], identity: [] };
        this.psnr.set(level.kernel, lines);
      }
      if (level.psnr !== null) append(lines.model, { x: v.step, y: level.psnr });
      if (level.identityPsnr !== null) append(lines.identity, { x: v.step, y: level.identityPsnr });
    }
    if (v.psnr !== null) {
      append(this.psnrAll, { x: v.step, y: v.psnr });
      if (this.bestPsnr === null || v.psnr > this.bestPsnr) {
        this.bestPsnr = v.psnr;
        this.bestValidation = v;
      }
    }
    if (v.identityPsnr !== null) append(this.identityAll, { x: v.step, y: v.identityPsnr });
    this.lastValidation = v;
  }

  /** Replays a runs.history answer; entries of other kinds (checkpoints) are ignored here. */
  addHistory(entries: RunHistoryEntry[]): void {
    for (const e of entries) {
      if (e.event === 'train.step') this.addStep(e.payload);
      else if (e.event === 'train.validation') this.addValidation(e.payload);
    }
  }

  lossSeries(): Series[] {
    return [
      { label: 'loss', points: this.lossRaw, color: '--chart-1', faint: true },
      { label: 'smoothed', points: this.lossSmooth, color: '--chart-1' },
    ];
  }

  /** Per blur level: the model's PSNR (solid) and the blurred input's own PSNR, the baseline to beat (dashed). */
  psnrSeries(): Series[] {
    if (this.psnr.size === 0) {
      return [
        { label: 'model', points: this.psnrAll, color: '--chart-1' },
        { label: 'blurred input', points: this.identityAll, color: '--chart-1', dashed: true },
      ];
    }
    const out: Series[] = [];
    [...this.psnr.entries()]
      .sort(([a], [b]) => a - b)
      .forEach(([kernel, lines], i) => {
        const color = LEVEL_COLORS[i % LEVEL_COLORS.length]!;
        out.push({ label: `blur ${kernel}: model`, points: lines.model, color });
        out.push({ label: `blur ${kernel}: input`, points: lines.identity, color, dashed: true });
      });
    return out;
  }

  lrSeries(): Series[] {
    return [{ label: 'learning rate', points: this.lr, color: '--chart-3' }];
  }
}
