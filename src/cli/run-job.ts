import type { EventMessage, JobResult, JobStart, JobType } from '../shared/contract';
import { createNodeHost } from '../host/node-host';
import { createProgressOutput } from './progress';

type Listener = (m: EventMessage) => void;

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

/** Runs one job to its end with a progress bar; Ctrl-C cancels the job (a second Ctrl-C exits at once). */
export async function runJob<T extends JobType>(start: Extract<JobStart, { type: T }>, onEvent?: Listener): Promise<JobResult<T>> {
  return withEngine(async ({ host, subscribe }) => {
    const bar = createProgressOutput(process.stderr);
    let jobId: string | null = null;
    const early: EventMessage[] = [];
    const outcome = new Promise<JobResult<T>>((resolve, reject) => {
      const handle = (m: EventMessage) => {
        const p = m.payload as { jobId?: string };
        if (p.jobId !== undefined && p.jobId !== jobId) return;
        onEvent?.(m);
        if (m.event === 'job.progress') {
          const pp = m.payload as { fraction: number; etaSeconds: number | null; message: string };
          bar.update(pp.fraction, pp.etaSeconds, pp.message);
        } else if (m.event === 'job.log') {
          const lp = m.payload as { level: string; message: string };
          if (lp.level !== 'debug') process.stderr.write(`${lp.level}: ${lp.message}\n`);
        } else if (m.event === 'job.finished') {
          bar.done();
          resolve((m.payload as { result: JobResult<T> }).result);
        } else if (m.event === 'job.failed') {
          bar.done();
          const f = m.payload as { error: { message: string }; cancelled: boolean };
          reject(new Error(f.cancelled ? 'cancelled' : f.error.message));
        } else if (m.event === 'engine.status' && (m.payload as { state: string }).state === 'crashed') {
          bar.done();
          reject(new Error((m.payload as { message: string }).message));
        }
      };
      subscribe((m) => (jobId === null ? early.push(m) : handle(m)));
      let interrupts = 0;
      process.on('SIGINT', () => {
        interrupts += 1;
        if (interrupts > 1 || jobId === null) process.exit(130);
        process.stderr.write('\ncancelling… (Ctrl-C again to quit at once)\n');
        void host.route('job.cancel', { jobId });
      });
      host
        .route('job.start', start)
        .then((r) => {
          jobId = (r as { jobId: string }).jobId;
          early.splice(0).forEach(handle);
        })
        .catch(reject);
    });
    return outcome;
  });
}
