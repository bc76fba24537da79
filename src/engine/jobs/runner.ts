import { randomUUID } from 'node:crypto';
import { ContractError, jobFinishedPayload, toErrorShape, type EventName, type EventPayload, type JobParams, type JobResult, type JobType } from '../../shared/contract';
import { CancelledError, type JobContext, type LogLevel } from './job-context';
import { EtaEstimator } from './eta';

export type JobHandler<T extends JobType> = (params: JobParams<T>, ctx: JobContext & { jobId: string }) => Promise<JobResult<T>>;
export type JobHandlers = { [T in JobType]?: JobHandler<T> };
export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

interface ActiveJob {
  jobId: string;
  type: JobType;
  started: Date;
  controller: AbortController;
  paused: boolean;
  resumeWaiters: Array<() => void>;
  eta: EtaEstimator;
}

/** Jobs that hold the engine exclusively (one training at a time: it owns the backend's memory and threads). */
const EXCLUSIVE: ReadonlySet<JobType> = new Set<JobType>(['train', 'resume']);
const PROGRESS_INTERVAL_MS = 200;

/**
 * Runs jobs in the engine process: gives each a JobContext, turns its reports into contract events,
 * throttles progress, owns cancel/pause. Handlers stay plain async functions that know nothing of IPC.
 */
export class JobRunner {
  private readonly active = new Map<string, ActiveJob>();

  constructor(
    private readonly handlers: JobHandlers,
    private readonly emit: EventSink,
  ) {}

  list(): Array<{ jobId: string; type: JobType; started: string }> {
    return [...this.active.values()].map((j) => ({ jobId: j.jobId, type: j.type, started: j.started.toISOString() }));
  }

  /** Starts a job and returns its id at once; the outcome arrives as a job.finished/job.failed event. */
  start<T extends JobType>(type: T, params: JobParams<T>): string {
    const handler = this.handlers[type] as JobHandler<T> | undefined;
    if (!handler) throw new ContractError('unavailable', `job "${type}" is not available in this version of the engine`);
    if (EXCLUSIVE.has(type) && [...this.active.values()].some((j) => EXCLUSIVE.has(j.type))) {
      throw new ContractError('busy', 'a training job is already running: stop it before starting another');
    }
    const job: ActiveJob = { jobId: randomUUID(), type, started: new Date(), controller: new AbortController(), paused: false, resumeWaiters: [], eta: new EtaEstimator() };
    this.active.set(job.jobId, job);
    const ctx = this.contextFor(job);
    const t0 = performance.now();
    // Deferred so the caller's reply (with the job id) goes out before the first event.
    setImmediate(() => {
      handler(params, ctx)
        .then((result) => {
          this.emit('job.progress', { jobId: job.jobId, type, fraction: 1, etaSeconds: 0, message: 'done' });
          this.emit('job.finished', jobFinishedPayload({ jobId: job.jobId, type, result, seconds: (performance.now() - t0) / 1000 }));
        })
        .catch((err: unknown) => {
          const cancelled = err instanceof CancelledError || job.controller.signal.aborted;
          const shape = toErrorShape(err);
          this.emit('job.failed', { jobId: job.jobId, type, cancelled, error: { code: cancelled ? 'cancelled' : shape.code, message: shape.message } });
        })
        .finally(() => {
          this.active.delete(job.jobId);
          job.resumeWaiters.splice(0).forEach((w) => w());
        });
    });
    return job.jobId;
  }

  cancel(jobId: string): void {
    const job = this.get(jobId);
    job.controller.abort();
    job.resumeWaiters.splice(0).forEach((w) => w());
  }

  pause(jobId: string): void {
    const job = this.get(jobId);
    job.paused = true;
    job.eta.pause();
  }

  resume(jobId: string): void {
    const job = this.get(jobId);
    job.paused = false;
    job.eta.resume();
    job.resumeWaiters.splice(0).forEach((w) => w());
  }

  /** Cancels everything (engine shutdown) and waits briefly for handlers to notice. */
  cancelAll(): void {
    for (const id of this.active.keys()) this.cancel(id);
  }

  private get(jobId: string): ActiveJob {
    const job = this.active.get(jobId);
    if (!job) throw new ContractError('not_found', `jobId: no running job ${jobId}`, 'jobId');
    return job;
  }

  private contextFor(job: ActiveJob): JobContext & { jobId: string } {
    const eta = job.eta;
    let lastSent = 0;
    const signal = job.controller.signal;
    return {
      jobId: job.jobId,
      signal,
      progress: (fraction, message = '', ownEta) => {
        const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
        const estimated = eta.update(f);
        // a job that knows its own time left (training: steps and validations to come) is the one ETA shown
        const etaSeconds = ownEta !== undefined && (ownEta === null || (Number.isFinite(ownEta) && ownEta >= 0)) ? ownEta : estimated;
        const now = performance.now();
        if (now - lastSent < PROGRESS_INTERVAL_MS && f < 1) return;
        lastSent = now;
        this.emit('job.progress', { jobId: job.jobId, type: job.type, fraction: f, etaSeconds, message });
      },
      log: (level: LogLevel, message: string) => {
        this.emit('job.log', { jobId: job.jobId, level, message, time: new Date().toISOString() });
      },
      emit: (event, payload) => {
        this.emit(event as EventName, payload as never);
      },
      throwIfCancelled: () => {
        if (signal.aborted) throw new CancelledError();
      },
      waitWhilePaused: async () => {
        // Yield to the event loop: a job whose awaits all resolve as microtasks (wasm kernels do) would
        // otherwise never let the cancel/pause messages from the supervisor in.
        await new Promise<void>((resolve) => setImmediate(resolve));
        while (job.paused && !signal.aborted) {
          await new Promise<void>((resolve) => job.resumeWaiters.push(resolve));
        }
        if (signal.aborted) throw new CancelledError();
      },
    };
  }
}
