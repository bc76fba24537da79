import { randomUUID } from 'node:crypto';
import {
  ContractError,
  classify,
  jobType,
  methods,
  parseEvent,
  parseReply,
  zodToContractError,
  type EventMessage,
  type EventPayload,
  type JobType,
  type MethodName,
  type MethodParamsInput,
  type MethodResult,
} from '../shared/contract';
import type { EngineChild, SpawnEngine } from './engine-child';

export type EngineStatus = EventPayload<'engine.status'>;

export interface SupervisorOptions {
  /** every validated event from the engine, plus engine.status and synthetic job.failed on crashes */
  onEvent: (message: EventMessage) => void;
  /** restarts allowed within `restartWindowMs` before the supervisor gives up */
  maxRestarts?: number;
  restartWindowMs?: number;
  restartDelayMs?: number;
  readyTimeoutMs?: number;
}

interface Pending {
  method: MethodName;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * Starts the engine process, restarts it when it crashes, tells the UI (engine.status events), fails the
 * requests and jobs a crash interrupted, and makes sure no engine outlives its host.
 */
export class EngineSupervisor {
  private child: EngineChild | null = null;
  private state: EngineStatus = { state: 'stopped', message: 'not started', pid: null, restarts: 0 };
  private readonly pending = new Map<string, Pending>();
  private readonly jobs = new Map<string, JobType>();
  private readyWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private crashTimes: number[] = [];
  private stopping = false;
  private readonly killOnExit = () => this.child?.kill('SIGKILL');

  constructor(
    private readonly spawn: SpawnEngine,
    private readonly opts: SupervisorOptions,
  ) {}

  status(): EngineStatus {
    return { ...this.state };
  }

  start(): void {
    this.stopping = false;
    process.once('exit', this.killOnExit);
    this.launch();
  }

  /** Sends one request; waits for the engine to be ready first (e.g. during a restart). */
  async request<M extends MethodName>(method: M, params: MethodParamsInput<M>): Promise<MethodResult<M>> {
    await this.whenReady();
    const child = this.child;
    if (!child) throw new ContractError('engine_crashed', `the engine is not running: ${this.state.message}`);
    const id = randomUUID();
    const result = await new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      child.send({ kind: 'request', id, method, params });
    });
    const parsed = methods[method].result.safeParse(result);
    if (!parsed.success) throw zodToContractError(parsed.error, `${method} result`);
    if (method === 'job.start') {
      const r = parsed.data as MethodResult<'job.start'>;
      this.jobs.set(r.jobId, r.type);
    }
    return parsed.data as MethodResult<M>;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    process.removeListener('exit', this.killOnExit);
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
      }, 3000);
      child.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private whenReady(): Promise<void> {
    if (this.state.state === 'ready') return Promise.resolve();
    if (this.state.state === 'stopped' || (this.state.state === 'crashed' && this.child === null && this.gaveUp())) {
      return Promise.reject(new ContractError('engine_crashed', `the engine is not running: ${this.state.message}`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new ContractError('unavailable', 'the engine did not become ready in time')), this.opts.readyTimeoutMs ?? 60_000);
      this.readyWaiters.push({
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  private setState(next: Omit<EngineStatus, 'restarts'>): void {
    this.state = { ...next, restarts: this.state.restarts };
    this.opts.onEvent({ kind: 'event', event: 'engine.status', payload: this.status() });
  }

  private launch(): void {
    const child = this.spawn();
    this.child = child;
    this.setState({ state: 'starting', message: 'starting the engine', pid: child.pid });
    child.onMessage((raw) => this.onMessage(child, raw));
    child.onExit((code, signal) => this.onExit(child, code, signal));
  }

  private onMessage(child: EngineChild, raw: unknown): void {
    if (child !== this.child) return;
    if (this.state.state !== 'ready') {
      this.setState({ state: 'ready', message: 'engine ready', pid: child.pid });
      this.readyWaiters.splice(0).forEach((w) => w.resolve());
    }
    try {
      const kind = classify(raw);
      if (kind === 'reply') {
        const reply = parseReply(raw);
        const p = this.pending.get(reply.id);
        if (!p) return;
        this.pending.delete(reply.id);
        if (reply.ok) p.resolve(reply.result);
        else p.reject(ContractError.from(reply.error));
      } else if (kind === 'event') {
        const event = parseEvent(raw);
        if (event.event === 'job.finished' || event.event === 'job.failed') this.jobs.delete(event.payload.jobId);
        this.opts.onEvent(event);
      }
    } catch (err) {
      this.failUnfinishedJob(raw, err as Error);
      // A malformed message from our own engine is a bug; report it, don't crash the host.
      this.opts.onEvent({
        kind: 'event',
        event: 'job.log',
        payload: { jobId: null, level: 'error', message: `engine sent an invalid message: ${(err as Error).message}`, time: new Date().toISOString() },
      });
    }
  }

  /**
   * A job.finished whose result does not match its job type's result schema: the job did not produce what
   * the contract promises, so it fails (naming the field) instead of never finishing for the UI.
   */
  private failUnfinishedJob(raw: unknown, err: Error): void {
    const { event, payload } = raw as { event?: unknown; payload?: { jobId?: unknown; type?: unknown } };
    if (event !== 'job.finished' || typeof payload?.jobId !== 'string') return;
    const jobId = payload.jobId;
    const type = this.jobs.get(jobId) ?? jobType.safeParse(payload.type).data;
    if (type === undefined) return;
    this.jobs.delete(jobId);
    const message = `the engine's ${type} result is invalid: ${err.message}`;
    this.opts.onEvent({ kind: 'event', event: 'job.failed', payload: { jobId, type, cancelled: false, error: { code: 'internal', message } } });
  }

  private gaveUp(): boolean {
    const window = this.opts.restartWindowMs ?? 60_000;
    const now = Date.now();
    this.crashTimes = this.crashTimes.filter((t) => now - t < window);
    return this.crashTimes.length > (this.opts.maxRestarts ?? 5);
  }

  private onExit(child: EngineChild, code: number | null, signal: string | null): void {
    if (child !== this.child) return;
    this.child = null;
    const crash = new ContractError('engine_crashed', `the engine process exited (${signal ?? `code ${code}`})`);
    for (const p of this.pending.values()) p.reject(crash);
    this.pending.clear();
    for (const [jobId, type] of this.jobs) {
      this.opts.onEvent({ kind: 'event', event: 'job.failed', payload: { jobId, type, cancelled: false, error: { code: crash.code, message: crash.message } } });
    }
    this.jobs.clear();
    if (this.stopping) {
      this.setState({ state: 'stopped', message: 'engine stopped', pid: null });
      this.readyWaiters.splice(0).forEach((w) => w.reject(new ContractError('engine_crashed', 'the engine was stopped')));
      return;
    }
    this.crashTimes.push(Date.now());
    this.setState({ state: 'crashed', message: crash.message, pid: null });
    if (this.gaveUp()) {
      this.readyWaiters.splice(0).forEach((w) => w.reject(new ContractError('engine_crashed', `${crash.message}; too many crashes, not restarting`)));
      return;
    }
    this.state.restarts += 1;
    this.setState({ state: 'restarting', message: `restarting after: ${crash.message}`, pid: null });
    setTimeout(() => {
      if (!this.stopping) this.launch();
    }, this.opts.restartDelayMs ?? 500);
  }
}
