import type { DeblurApi, EventName, EventPayload, JobParamsInput, JobResult, JobType } from '../../../shared/contract';
import { errorCode, errorMessage } from './errors';

export type JobStatus = 'starting' | 'running' | 'paused' | 'finished' | 'failed' | 'cancelled';

/**
 * One engine job as the UI sees it: reactive progress fields fed by job.* events, plus a promise for the
 * outcome. Views hold a TrackedJob and hand it to <JobProgress>; they never listen to job events themselves.
 */
export class TrackedJob<T extends JobType = JobType> {
  jobId = $state<string | null>(null);
  status = $state<JobStatus>('starting');
  fraction = $state(0);
  etaSeconds = $state<number | null>(null);
  message = $state('');
  result = $state.raw<JobResult<T> | null>(null);
  error = $state<string | null>(null);
  errorCode = $state<string | null>(null);
  seconds = $state<number | null>(null);
  readonly done: Promise<JobResult<T>>;
  private settle!: { resolve: (r: JobResult<T>) => void; reject: (e: Error) => void };

  constructor(
    readonly type: T,
    private readonly api: DeblurApi,
  ) {
    this.done = new Promise<JobResult<T>>((resolve, reject) => (this.settle = { resolve, reject }));
    // Views read status/result; nobody need await `done`, so an unobserved rejection is expected.
    this.done.catch(() => {});
  }

  get active(): boolean {
    return this.status === 'starting' || this.status === 'running' || this.status === 'paused';
  }

  async cancel(): Promise<void> {
    if (!this.jobId || !this.active) return;
    await this.api.call('job.cancel', { jobId: this.jobId });
  }

  async pause(): Promise<void> {
    if (!this.jobId || this.status !== 'running') return;
    await this.api.call('job.pause', { jobId: this.jobId });
    this.status = 'paused';
  }

  async resume(): Promise<void> {
    if (!this.jobId || this.status !== 'paused') return;
    await this.api.call('job.resume', { jobId: this.jobId });
    this.status = 'running';
  }

  /** @internal event dispatch */
  onProgress(p: EventPayload<'job.progress'>): void {
    if (!this.active) return;
    this.fraction = p.fraction;
    this.etaSeconds = p.etaSeconds;
    this.message = p.message;
    if (this.status === 'starting') this.status = 'running';
  }

  /** @internal */
  onFinished(p: EventPayload<'job.finished'>): void {
    this.status = 'finished';
    this.fraction = 1;
    this.etaSeconds = 0;
    this.seconds = p.seconds;
    this.result = p.result as JobResult<T>;
    this.settle.resolve(this.result);
  }

  /** @internal */
  onFailed(code: string, message: string, cancelled: boolean): void {
    this.status = cancelled ? 'cancelled' : 'failed';
    this.error = message;
    this.errorCode = code;
    const err = Object.assign(new Error(message), { code });
    this.settle.reject(err);
  }
}

type JobEvent = 'job.progress' | 'job.finished' | 'job.failed';

/**
 * Routes job events to their TrackedJob. Events that arrive before `job.start` has answered (or for jobs
 * started elsewhere) wait briefly in `early`, so no progress or outcome is lost to that race.
 */
class JobRegistry {
  private readonly tracked = new Map<string, TrackedJob>();
  private readonly early = new Map<string, Array<{ event: JobEvent; payload: unknown }>>();
  private api: DeblurApi | null = null;

  connect(api: DeblurApi): () => void {
    this.api = api;
    const offs = (['job.progress', 'job.finished', 'job.failed'] as const).map((event) =>
      api.on(event, (payload: EventPayload<typeof event>) => this.dispatch(event, payload)),
    );
    return () => offs.forEach((off) => off());
  }

  /** Starts a job; the returned TrackedJob fails (status 'failed') if the engine refuses it. */
  start<T extends JobType>(type: T, params: JobParamsInput<T>): TrackedJob<T> {
    const api = this.requireApi();
    const job = new TrackedJob(type, api);
    api.call('job.start', { type, params } as never).then(
      (r) => this.register(r.jobId, job as TrackedJob),
      (err: unknown) => job.onFailed(errorCode(err) ?? 'internal', errorMessage(err), false),
    );
    return job;
  }

  /** Re-attaches to a job already running in the engine (e.g. a training after a page reload). */
  attach<T extends JobType>(type: T, jobId: string): TrackedJob<T> {
    const existing = this.tracked.get(jobId);
    if (existing) return existing as unknown as TrackedJob<T>;
    const job = new TrackedJob(type, this.requireApi());
    job.status = 'running';
    this.register(jobId, job as TrackedJob);
    return job;
  }

  private requireApi(): DeblurApi {
    if (!this.api) throw new Error('job registry used before connect(api)');
    return this.api;
  }

  private register(jobId: string, job: TrackedJob): void {
    job.jobId = jobId;
    if (job.status === 'starting') job.status = 'running';
    this.tracked.set(jobId, job);
    const waiting = this.early.get(jobId) ?? [];
    this.early.delete(jobId);
    for (const e of waiting) this.dispatch(e.event, e.payload as never);
  }

  private dispatch<E extends JobEvent & EventName>(event: E, payload: EventPayload<E>): void {
    const { jobId } = payload as { jobId: string };
    const job = this.tracked.get(jobId);
    if (!job) {
      const list = this.early.get(jobId) ?? [];
      list.push({ event, payload });
      this.early.set(jobId, list.slice(-20));
      // Keep the buffer small: only the newest few unknown jobs matter.
      if (this.early.size > 20) this.early.delete(this.early.keys().next().value as string);
      return;
    }
    if (event === 'job.progress') job.onProgress(payload as EventPayload<'job.progress'>);
    else if (event === 'job.finished') {
      job.onFinished(payload as EventPayload<'job.finished'>);
      this.tracked.delete(jobId);
    } else {
      const p = payload as EventPayload<'job.failed'>;
      job.onFailed(p.error.code, p.error.message, p.cancelled);
      this.tracked.delete(jobId);
    }
  }
}

export const jobs = new JobRegistry();
