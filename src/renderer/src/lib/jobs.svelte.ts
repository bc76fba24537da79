import { finishedResult, jobStartOf, type DeblurApi, type EventPayload, type JobParamsInput, type JobResult, type JobType } from '../../../shared/contract';
import { tellJobEnded } from './attention';
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
  // Method syntax: a TrackedJob<'train'> is then a TrackedJob (of any type) for the registry, without a cast.
  private settle!: { resolve(r: JobResult<T>): void; reject(e: Error): void };

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
    const result = finishedResult(this.type, p);
    if (result === null) {
      this.onFailed('internal', `the engine finished this ${this.type} job as a ${p.type} job`, false);
      return;
    }
    this.status = 'finished';
    this.fraction = 1;
    this.etaSeconds = 0;
    this.seconds = p.seconds;
    this.result = result;
    this.settle.resolve(result);
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

type JobEvent = { [E in 'job.progress' | 'job.finished' | 'job.failed']: { event: E; payload: EventPayload<E> } }['job.progress' | 'job.finished' | 'job.failed'];

/**
 * Routes job events to their TrackedJob. Events that arrive before `job.start` has answered (or for jobs
 * started elsewhere) wait briefly in `early`, so no progress or outcome is lost to that race.
 */
class JobRegistry {
  private readonly tracked = new Map<string, TrackedJob>();
  private readonly early = new Map<string, JobEvent[]>();
  private api: DeblurApi | null = null;

  connect(api: DeblurApi): () => void {
    this.api = api;
    const offs = [
      api.on('job.progress', (payload) => this.dispatch({ event: 'job.progress', payload })),
      api.on('job.finished', (payload) => this.dispatch({ event: 'job.finished', payload })),
      api.on('job.failed', (payload) => this.dispatch({ event: 'job.failed', payload })),
    ];
    return () => offs.forEach((off) => off());
  }

  /** Starts a job; the returned TrackedJob fails (status 'failed') if the engine refuses it. */
  start<T extends JobType>(type: T, params: JobParamsInput<T>): TrackedJob<T> {
    const api = this.requireApi();
    const job = new TrackedJob(type, api);
    api.call('job.start', jobStartOf(type, params)).then(
      (r) => this.register(r.jobId, job),
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
    this.register(jobId, job);
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
    for (const e of waiting) this.dispatch(e);
  }

  private dispatch(e: JobEvent): void {
    const { jobId } = e.payload;
    const job = this.tracked.get(jobId);
    if (!job) {
      const list = this.early.get(jobId) ?? [];
      list.push(e);
      this.early.set(jobId, list.slice(-20));
      // Keep the buffer small: only the newest few unknown jobs matter.
      if (this.early.size > 20) this.early.delete(this.early.keys().next().value as string);
      return;
    }
    if (e.event === 'job.progress') job.onProgress(e.payload);
    else if (e.event === 'job.finished') {
      job.onFinished(e.payload);
      this.tracked.delete(jobId);
      tellJobEnded(job.type, job.status === 'finished' ? 'finished' : 'failed');
    } else {
      job.onFailed(e.payload.error.code, e.payload.error.message, e.payload.cancelled);
      this.tracked.delete(jobId);
      tellJobEnded(job.type, e.payload.cancelled ? 'cancelled' : 'failed');
    }
  }
}

export const jobs = new JobRegistry();
