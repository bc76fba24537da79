/**
 * Estimates the time left from the rate at which a job's fraction grows. Uses the average rate since the
 * first report (robust to bursty progress) and says nothing until there is enough signal. Time spent paused
 * is not work time: it is left out of the rate, so an ETA after a pause is what it was before it.
 */
export class EtaEstimator {
  private start: { t: number; f: number } | null = null;
  private pausedAt: number | null = null;
  private pausedMs = 0;
  constructor(private readonly now: () => number = () => performance.now()) {}

  pause(): void {
    this.pausedAt ??= this.now();
  }

  resume(): void {
    if (this.pausedAt === null) return;
    this.pausedMs += this.now() - this.pausedAt;
    this.pausedAt = null;
  }

  /** Work time so far (wall time less pauses, the current one included). */
  private workTime(): number {
    return this.now() - this.pausedMs - (this.pausedAt === null ? 0 : this.now() - this.pausedAt);
  }

  update(fraction: number): number | null {
    const t = this.workTime();
    if (this.start === null || fraction < this.start.f) {
      this.start = { t, f: fraction };
      return null;
    }
    const df = fraction - this.start.f;
    const dt = (t - this.start.t) / 1000;
    if (df <= 0.005 || dt < 0.5) return null;
    return Math.max(0, ((1 - fraction) * dt) / df);
  }
}
