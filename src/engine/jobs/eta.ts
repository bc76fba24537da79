/**
 * Estimates the time left from the rate at which a job's fraction grows. Uses the average rate since the
 * first report (robust to bursty progress) and says nothing until there is enough signal.
 */
export class EtaEstimator {
  private start: { t: number; f: number } | null = null;
  constructor(private readonly now: () => number = () => performance.now()) {}

  update(fraction: number): number | null {
    const t = this.now();
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
