import os from 'node:os';
import type { Worker } from 'node:worker_threads';
// Loaded here first: sharp must be loaded by the main thread before any worker loads it.
import 'sharp';
import { DecodeError } from '../image/decode';
import type { ComputeResult, ComputeTask } from './prepare-compute';
import type { ComputeReply, ComputeRequest } from './prepare-worker';
import { spawnModuleWorker } from '../core/worker-spawn';

/**
 * A small pool of prepare workers, so the JS resize/blur of many images runs on all cores instead
 * of the engine's main thread (which also has to answer the UI). Each worker takes two tasks at
 * once (one computes while the other waits for sharp). Idle workers do not keep the process alive;
 * the pool is created on first use and shared by later prepare jobs (workers start in ~0.1 s from
 * a build, ~1 s from sources because tsx compiles the module in each worker).
 */
const TASKS_PER_WORKER = 2;

/** No worker thread could be started (e.g. a build without the worker entry); callers compute inline. */
export class PoolUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`prepare workers cannot be started: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'PoolUnavailableError';
  }
}

interface Slot {
  worker: Worker;
  busy: number;
}

export class ComputePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Array<{ task: ComputeTask; resolve: (r: ComputeResult) => void; reject: (e: Error) => void }> = [];
  private readonly open = new Map<number, { slot: Slot; resolve: (r: ComputeResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor(readonly size: number) {}

  run(task: ComputeTask): Promise<ComputeResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.filter((s) => s.busy < TASKS_PER_WORKER).sort((a, b) => a.busy - b.busy)[0];
      if (!slot || (slot.busy > 0 && this.slots.length < this.size)) {
        if (this.slots.length < this.size) {
          try {
            slot = this.spawn();
          } catch (err) {
            if (this.slots.length === 0) {
              for (const job of this.queue.splice(0)) job.reject(new PoolUnavailableError(err));
              return;
            }
          }
        }
      }
      if (!slot) return;
      const job = this.queue.shift() as (typeof this.queue)[number];
      const taskId = this.nextId++;
      this.open.set(taskId, { slot, resolve: job.resolve, reject: job.reject });
      slot.busy++;
      slot.worker.ref();
      slot.worker.postMessage({ taskId, task: job.task } satisfies ComputeRequest);
    }
  }

  private spawn(): Slot {
    const worker = spawnModuleWorker(import.meta.url, 'prepare-worker');
    const slot: Slot = { worker, busy: 0 };
    worker.unref();
    worker.on('message', (reply: ComputeReply) => {
      const waiter = this.open.get(reply.taskId);
      if (!waiter) return;
      this.open.delete(reply.taskId);
      slot.busy--;
      if (slot.busy === 0) worker.unref();
      if ('ok' in reply) waiter.resolve(reply.ok);
      else if ('decodeError' in reply) waiter.reject(new DecodeError(reply.decodeError.reason, reply.decodeError.detail));
      else waiter.reject(new Error(reply.error));
      this.dispatch();
    });
    const fail = (err: Error): void => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      for (const [id, w] of this.open) {
        if (w.slot !== slot) continue;
        this.open.delete(id);
        w.reject(err);
      }
      this.dispatch();
    };
    worker.on('error', (err) => fail(new Error(`a prepare worker failed: ${err.message}`)));
    worker.on('exit', (code) => fail(new Error(`a prepare worker stopped (exit code ${code})`)));
    this.slots.push(slot);
    return slot;
  }
}

let shared: ComputePool | null = null;

/** The process-wide pool, sized to the machine's cores. */
export function sharedComputePool(): ComputePool {
  shared ??= new ComputePool(Math.max(1, os.availableParallelism()));
  return shared;
}
