/** Progress output for CLI jobs: a redrawn bar with ETA on a terminal, plain lines (at most one per second) otherwise. */
export interface ProgressOutput {
  update(fraction: number, etaSeconds: number | null, message: string): void;
  done(): void;
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function createProgressOutput(stream: NodeJS.WriteStream = process.stderr, label = ''): ProgressOutput {
  const tty = stream.isTTY === true;
  let lastLine = 0;
  let drawn = false;
  return {
    update(fraction, eta, message) {
      const pct = `${(fraction * 100).toFixed(1).padStart(5)}%`;
      if (tty) {
        const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 60));
        const filled = Math.round(fraction * width);
        const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
        stream.write(`\r\x1b[2K${label}${bar} ${pct} ETA ${formatEta(eta)} ${message}`.slice(0, (stream.columns ?? 120) - 1));
        drawn = true;
      } else if (Date.now() - lastLine >= 1000 || fraction >= 1) {
        lastLine = Date.now();
        stream.write(`${label}${pct} ETA ${formatEta(eta)} ${message}\n`);
      }
    },
    done() {
      if (tty && drawn) stream.write('\n');
    },
  };
}
