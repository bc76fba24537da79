import { finishedResult, parseParams, type EventMessage, type JobResult, type JobStart, type JobType } from '../shared/contract';
import { createNodeHost } from '../host/node-host';
import { withFlagNames } from './flag-names';
import { createProgressOutput } from './progress';

type Listener = (m: EventMessage) => void;

/** Exit status of a command the user stopped with Ctrl-C (128 + SIGINT, as shells report it). */
export const EXIT_CANCELLED = 130;

/** A job that ended because the user pressed Ctrl-C; main() exits with EXIT_CANCELLED for it. */
export class CancelledByUserError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledByUserError';
  }
}

let cancelledByUser = false;
/** Whether a job of this process was cancelled with Ctrl-C, even one that then ended normally (a stopped training). */
export function wasCancelledByUser(): boolean {
  return cancelledByUser;
}

/** Starts the engine for one CLI command and hands the command a session; always stops the engine after. */
export async function withEngine<T>(fn: (session: { host: ReturnType<typeof createNodeHost>; subscribe: (l: Listener) => () => void }) => Promise<T>): Promise<T> {
  const listeners = new Set<Listener>();
  const host = createNodeHost({ onEvent: (m) => listeners.forEach((l) => l(m)) });
  const subscribe = (l: Listener) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };
  try {
    return await fn({ host, subscribe });
  } finally {
    await host.supervisor.stop();
  }
}

/** Validates a job's params against the contract here, before any engine starts; a bad one is named by its CLI flag. */
export function checkJobParams(start: JobStart): void {
  try {
    parseParams('job.start', start);
  } catch (err) {
    throw withFlagNames(start.type, err);
  }
}

/**
 * Runs one job to its end with a progress bar. Ctrl-C cancels the job and waits for it to wind down (a training
 * saves its checkpoint); a second Ctrl-C exits at once. The params are checked before the engine starts, and
 * a bad one is named by its CLI flag.
 */
export async function runJob<T extends JobType>(start: Extract<JobStart, { type: T }>, onEvent?: Listener): Promise<JobResult<T>> {
  checkJobParams(start);
  return withEngine(async ({ host, subscribe }) => {
    const bar = createProgressOutput(process.stderr);
    let jobId: string | null = null;
    const early: EventMessage[] = [];
    let interrupts = 0;
    const onSigint = () => {
      interrupts += 1;
      if (interrupts > 1 || jobId === null) process.exit(EXIT_CANCELLED);
      cancelledByUser = true;
      process.stderr.write(`\ncancelling${start.type === 'train' || start.type === 'resume' ? ' after saving a checkpoint' : ''}… (Ctrl-C again to quit at once)\n`);
      void host.route('job.cancel', { jobId }).catch(() => undefined);
    };
    process.on('SIGINT', onSigint);
    try {
      return await new Promise<JobResult<T>>((resolve, reject) => {
        const handle = (m: EventMessage) => {
          if ('jobId' in m.payload && m.payload.jobId !== jobId) return;
          onEvent?.(m);
          if (m.event === 'job.progress') {
            bar.update(m.payload.fraction, m.payload.etaSeconds, m.payload.message);
          } else if (m.event === 'job.log') {
            // On a terminal the line starts over the progress bar (its next update redraws it below).
            if (m.payload.level !== 'debug') process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[2K' : ''}${m.payload.level}: ${m.payload.message}\n`);
          } else if (m.event === 'job.finished') {
            bar.done();
            const result = finishedResult(start.type, m.payload);
            if (result === null) reject(new Error(`the engine finished job ${m.payload.jobId} as a ${m.payload.type} job, not ${start.type}`));
            else resolve(result);
          } else if (m.event === 'job.failed') {
            bar.done();
            reject(m.payload.cancelled ? new CancelledByUserError() : new Error(m.payload.error.message));
          } else if (m.event === 'engine.status' && m.payload.state === 'crashed') {
            bar.done();
            reject(new Error(m.payload.message));
          }
        };
        subscribe((m) => (jobId === null ? early.push(m) : handle(m)));
        host
          .route('job.start', start)
          .then((r) => {
            jobId = (r as { jobId: string }).jobId;
            early.splice(0).forEach(handle);
          })
          .catch((err: unknown) => reject(withFlagNames(start.type, err)));
      });
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  });
}
