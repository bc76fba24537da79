/**
 * What every long-running engine job receives. Jobs are plain async functions `(params, ctx) => result`;
 * the job runner (src/engine/jobs/runner.ts) turns ctx calls into contract events and owns cancellation.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface JobContext {
  /** Aborted when the user cancels; jobs check it between units of work (ctx.throwIfCancelled()). */
  readonly signal: AbortSignal;
  /** fraction in [0,1]; the runner computes the ETA from the fraction's rate unless the job gives its own (seconds). */
  progress(fraction: number, message?: string, etaSeconds?: number | null): void;
  log(level: LogLevel, message: string): void;
  /** Typed side-channel for job-specific events (training steps, previews …), see the contract's events. */
  emit(event: string, payload: unknown): void;
  /** Throws a CancelledError when the signal is aborted. */
  throwIfCancelled(): void;
  /**
   * Call once per unit of work: yields to the event loop (so cancel/pause requests get in), then resolves
   * unless the user paused the job; a paused job resolves on resume, a cancelled one rejects.
   */
  waitWhilePaused(): Promise<void>;
}

export class CancelledError extends Error {
  constructor(message = 'cancelled by the user') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** A context for direct calls from tests, benches and scripts: collects what the job reports. */
export function createTestContext(signal: AbortSignal = new AbortController().signal): JobContext & {
  progressLog: Array<{ fraction: number; message?: string }>;
  logs: Array<{ level: LogLevel; message: string }>;
  events: Array<{ event: string; payload: unknown }>;
} {
  const progressLog: Array<{ fraction: number; message?: string }> = [];
  const logs: Array<{ level: LogLevel; message: string }> = [];
  const events: Array<{ event: string; payload: unknown }> = [];
  return {
    signal,
    progressLog,
    logs,
    events,
    progress: (fraction, message) => progressLog.push({ fraction, message }),
    log: (level, message) => logs.push({ level, message }),
    emit: (event, payload) => events.push({ event, payload }),
    throwIfCancelled: () => {
      if (signal.aborted) throw new CancelledError();
    },
    waitWhilePaused: async () => {
      if (signal.aborted) throw new CancelledError();
    },
  };
}
