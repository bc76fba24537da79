import path from 'node:path';
import type { Worker } from 'node:worker_threads';
// sharp must be loaded by the main thread before any worker loads it (its shared libraries then
// stay loaded until every thread has finished; sharp's documented requirement on glibc Linux).
import 'sharp';
import type { BatchReply, BatchRequest } from './loader-worker';
import { readCompleteManifest, SHARP_DIR, blurDirName, type DatasetManifest } from './manifest';
import { buildBatch, type BatchData, type PairPlan } from './pair-batch';
import { createRng, deriveSeed, shuffleInPlace } from '../core/random';
import type { SplitName } from './split';
import { spawnModuleWorker } from '../core/worker-spawn';
import { BLURRED_INPUT, type ModelInput } from '../restore/model-input';

/**
 * Streams (blurred, sharp) training pairs from a prepared data set in batches of plain Float32Array
 * data [N, H, W, 3] in [0, 1] (no tensor library here: the trainer wraps them). Every pair of the
 * split (each image × each blur level) is visited once per epoch in an order shuffled from
 * (seed, epoch), with a random crop and random flips applied identically to both members.
 * Batches are decoded ahead on a worker thread; at most `prefetch` batches exist beyond the one in
 * use, so memory stays bounded whatever the data set's size.
 */
export interface PairLoaderOptions {
  split: SplitName;
  batchSize: number;
  /** side of the square random crop; null/undefined = the full frame */
  patchSize?: number | null;
  /** blur levels to draw pairs from (default: all levels of the data set) */
  levels?: number[];
  /** random horizontal and vertical flips, each with probability 1/2 */
  flips?: boolean;
  seed: number;
  /** epoch that `batches()` starts with (default 0) */
  epoch?: number;
  /** batches decoded ahead (default 2) */
  prefetch?: number;
  /** drop a last batch smaller than batchSize (default false) */
  dropLast?: boolean;
  /** decode on a worker thread (default) or on this thread (same batches, for hosts without workers) */
  useWorker?: boolean;
  /** what the `blurred` member holds: the blurred crop (default) or its Wiener deconvolution (kernel-aware models) */
  input?: ModelInput;
}

export interface PairItem {
  id: string;
  level: number;
  /** crop window in the prepared frame */
  x: number;
  y: number;
  flipH: boolean;
  flipV: boolean;
}

export interface PairBatch extends BatchData {
  shape: [number, number, number, 3];
  items: PairItem[];
  epoch: number;
  /** index of this batch in its epoch */
  index: number;
}

export interface PairLoader {
  readonly manifest: DatasetManifest;
  /** pairs (image × level) in the split */
  readonly pairsPerEpoch: number;
  readonly batchesPerEpoch: number;
  /** crop size of every batch item */
  readonly patch: { width: number; height: number };
  /** where batches are decoded */
  readonly mode: 'worker' | 'inline';
  /** the batches of one epoch (default: options.epoch), optionally from a batch index on (resume) */
  batches(epoch?: number, fromBatch?: number): AsyncGenerator<PairBatch>;
  /** the exact plan (order, crops, flips) of an epoch, without decoding anything */
  plan(epoch: number): PairPlan[][];
  close(): Promise<void>;
}

interface Pair {
  id: string;
  level: number;
  sharpFile: string;
  blurFile: string;
}

export async function createPairLoader(datasetDir: string, opts: PairLoaderOptions): Promise<PairLoader> {
  const dir = path.resolve(datasetDir);
  const manifest = await readCompleteManifest(dir);
  const { width: frameW, height: frameH } = manifest.settings;
  const levels = opts.levels ?? manifest.settings.levels;
  for (const k of levels) {
    if (!manifest.settings.levels.includes(k)) throw new Error(`blur level ${k} is not in this data set (it has ${manifest.settings.levels.join(', ')})`);
  }
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new Error(`batch size must be a positive integer, got ${opts.batchSize}`);
  const patchSize = opts.patchSize ?? null;
  if (patchSize !== null && (!Number.isInteger(patchSize) || patchSize < 1 || patchSize > frameW || patchSize > frameH)) {
    throw new Error(`patch size ${patchSize} does not fit the data set's ${frameW}×${frameH} frames`);
  }
  const patch = patchSize === null ? { width: frameW, height: frameH } : { width: patchSize, height: patchSize };

  const pairs: Pair[] = [];
  for (const item of manifest.items.filter((i) => i.split === opts.split)) {
    const sharpOut = item.outputs[SHARP_DIR];
    for (const k of levels) {
      const blurOut = item.outputs[blurDirName(k)];
      if (!sharpOut || !blurOut) throw new Error(`item ${item.id} lacks its ${sharpOut ? blurDirName(k) : SHARP_DIR} file in the manifest`);
      pairs.push({ id: item.id, level: k, sharpFile: sharpOut.file, blurFile: blurOut.file });
    }
  }
  if (pairs.length === 0) throw new Error(`the "${opts.split}" split of ${dir} has no images`);
  const batchesPerEpoch = opts.dropLast ? Math.floor(pairs.length / opts.batchSize) : Math.ceil(pairs.length / opts.batchSize);
  if (batchesPerEpoch === 0) throw new Error(`the "${opts.split}" split has ${pairs.length} pairs, fewer than one batch of ${opts.batchSize}`);

  const plan = (epoch: number): PairPlan[][] => {
    const rng = createRng(deriveSeed(opts.seed, 'pairs', opts.split, epoch));
    const order = shuffleInPlace([...pairs], rng);
    const planned = order.map((p): PairPlan => ({
      ...p,
      x: rng.int(frameW - patch.width + 1),
      y: rng.int(frameH - patch.height + 1),
      flipH: opts.flips ? rng.next() < 0.5 : false,
      flipV: opts.flips ? rng.next() < 0.5 : false,
    }));
    const batches: PairPlan[][] = [];
    for (let b = 0; b < batchesPerEpoch; b++) batches.push(planned.slice(b * opts.batchSize, (b + 1) * opts.batchSize));
    return batches;
  };

  // Without a startable worker (e.g. a build lacking the worker entry) batches are decoded here: same
  // batches, only slower for the trainer; `mode` tells which.
  let decoder: WorkerDecoder | null = null;
  if (opts.useWorker ?? true) {
    try {
      decoder = new WorkerDecoder(spawnModuleWorker(import.meta.url, 'loader-worker'));
    } catch {
      decoder = null;
    }
  }
  const input = opts.input ?? BLURRED_INPUT;
  const decode = (plans: PairPlan[]): Promise<BatchData> =>
    decoder ? decoder.request({ datasetDir: dir, plans, width: patch.width, height: patch.height, input }) : buildBatch(dir, plans, patch.width, patch.height, input);
  const prefetch = Math.max(1, opts.prefetch ?? 2);

  async function* batches(epoch = opts.epoch ?? 0, fromBatch = 0): AsyncGenerator<PairBatch> {
    const planned = plan(epoch);
    const pending: Array<Promise<BatchData>> = [];
    let next = fromBatch;
    const fill = (): void => {
      while (pending.length < prefetch && next < planned.length) {
        const p = decode(planned[next++] as PairPlan[]);
        p.catch(() => undefined); // errors surface when the batch is awaited
        pending.push(p);
      }
    };
    for (let index = fromBatch; index < planned.length; index++) {
      fill();
      const data = await (pending.shift() as Promise<BatchData>);
      fill(); // start the next decode before handing this batch out
      const plans = planned[index] as PairPlan[];
      yield {
        ...data,
        shape: [plans.length, patch.height, patch.width, 3],
        items: plans.map(({ id, level, x, y, flipH, flipV }) => ({ id, level, x, y, flipH, flipV })),
        epoch,
        index,
      };
    }
  }

  return {
    manifest,
    pairsPerEpoch: pairs.length,
    batchesPerEpoch,
    patch,
    mode: decoder ? 'worker' : 'inline',
    batches,
    plan,
    close: async () => {
      await decoder?.close();
    },
  };
}

/** Request/reply over one worker, matched by request id; a dead worker fails every open request. */
class WorkerDecoder {
  private nextId = 1;
  private readonly open = new Map<number, { resolve: (d: BatchData) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: BatchReply) => {
      const waiter = this.open.get(reply.requestId);
      if (!waiter) return;
      this.open.delete(reply.requestId);
      if (reply.type === 'batch') waiter.resolve({ blurred: reply.blurred, sharp: reply.sharp });
      else waiter.reject(new Error(`loading a batch failed: ${reply.message}`));
    });
    const failAll = (err: Error): void => {
      this.failure = err;
      for (const w of this.open.values()) w.reject(err);
      this.open.clear();
    };
    worker.on('error', (err) => failAll(new Error(`the data loader's worker failed: ${err.message}`)));
    worker.on('exit', (code) => failAll(new Error(`the data loader's worker stopped (exit code ${code})`)));
    worker.unref(); // an idle loader must not keep the process alive
  }

  request(req: Omit<BatchRequest, 'type' | 'requestId'>): Promise<BatchData> {
    if (this.failure) return Promise.reject(this.failure);
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.open.set(requestId, { resolve, reject });
      this.worker.ref(); // keep the process alive while a batch is being made
      this.worker.postMessage({ type: 'batch', requestId, ...req } satisfies BatchRequest);
    }).finally(() => {
      if (this.open.size === 0) this.worker.unref();
    }) as Promise<BatchData>;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
