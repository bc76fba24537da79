import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import * as tf from '../models/tf';
import type { Adam } from './adam';

/**
 * Adam's complete state on disk: `optimizer.json` (step count, β1, β2, ε, last learning rate and,
 * per weight in the model's order, its name, shape and byte offset) and `optimizer.bin` (float32
 * little-endian: every weight's m followed by its v). Restoring it gives back the same optimizer.
 */
export const OPTIMIZER_JSON = 'optimizer.json';
export const OPTIMIZER_BIN = 'optimizer.bin';

export interface AdamWeightState {
  name: string;
  shape: number[];
  m: Float32Array;
  v: Float32Array;
}

export interface AdamState {
  iterations: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** the learning rate of the last update (the schedule decides the next one) */
  lr: number;
  weights: AdamWeightState[];
}

const optimizerJsonSchema = z.strictObject({
  format: z.literal('deblur-studio/adam-state'),
  version: z.literal(1),
  iterations: z.number().int().nonnegative(),
  beta1: z.number(),
  beta2: z.number(),
  epsilon: z.number(),
  lr: z.number(),
  weights: z.array(z.strictObject({ name: z.string(), shape: z.array(z.number().int().nonnegative()), offset: z.number().int().nonnegative() })),
});

/** Copies the optimizer's state out of its tensors. */
export async function snapshotAdam(adam: Adam, lr: number): Promise<AdamState> {
  const weights = await Promise.all(
    adam.slots.map(async (s) => ({
      name: s.name,
      shape: [...s.weight.shape],
      // copies: a backend may hand out its own buffer
      m: Float32Array.from(await s.m.data()),
      v: Float32Array.from(await s.v.data()),
    })),
  );
  const { beta1, beta2, epsilon } = adam.config;
  return { iterations: adam.iterations, beta1, beta2, epsilon, lr, weights };
}

/**
 * Puts a saved state into an optimizer built for the same model. Weights are matched by name and
 * shape; any difference (another model or preset) is an error that names the first mismatch.
 */
export function restoreAdam(adam: Adam, state: AdamState): void {
  const { beta1, beta2, epsilon } = adam.config;
  if (state.beta1 !== beta1 || state.beta2 !== beta2 || state.epsilon !== epsilon) {
    throw new Error(`saved optimizer has β1=${state.beta1} β2=${state.beta2} ε=${state.epsilon}, this one β1=${beta1} β2=${beta2} ε=${epsilon}`);
  }
  if (state.weights.length !== adam.slots.length) {
    throw new Error(`saved optimizer state is for ${state.weights.length} weights, the model has ${adam.slots.length}`);
  }
  adam.slots.forEach((slot, i) => {
    const saved = state.weights[i] as AdamWeightState;
    const shape = slot.weight.shape;
    if (saved.name !== slot.name || saved.shape.length !== shape.length || saved.shape.some((d, k) => d !== shape[k])) {
      throw new Error(`saved optimizer weight ${i} is "${saved.name}" [${saved.shape.join(', ')}], the model's is "${slot.name}" [${shape.join(', ')}]`);
    }
  });
  tf.tidy(() => {
    adam.slots.forEach((slot, i) => {
      const saved = state.weights[i] as AdamWeightState;
      slot.m.assign(tf.tensor(saved.m, saved.shape, 'float32'));
      slot.v.assign(tf.tensor(saved.v, saved.shape, 'float32'));
    });
  });
  adam.iterations = state.iterations;
}

/** Writes optimizer.json and optimizer.bin into `dir` (a checkpoint's temp folder: no atomicity needed here). */
export async function writeAdamState(dir: string, state: AdamState): Promise<void> {
  const sizes = state.weights.map((w) => w.m.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const bin = new Float32Array(total * 2);
  let offset = 0;
  const index = state.weights.map((w) => {
    const entry = { name: w.name, shape: w.shape, offset };
    bin.set(w.m, offset);
    bin.set(w.v, offset + w.m.length);
    offset += w.m.length * 2;
    return entry;
  });
  const json = { format: 'deblur-studio/adam-state', version: 1, iterations: state.iterations, beta1: state.beta1, beta2: state.beta2, epsilon: state.epsilon, lr: state.lr, weights: index };
  await fs.writeFile(path.join(dir, OPTIMIZER_BIN), littleEndianBytes(bin));
  await fs.writeFile(path.join(dir, OPTIMIZER_JSON), `${JSON.stringify(json, null, 1)}\n`);
}

export async function readAdamState(dir: string): Promise<AdamState> {
  const jsonPath = path.join(dir, OPTIMIZER_JSON);
  const binPath = path.join(dir, OPTIMIZER_BIN);
  let parsed: z.infer<typeof optimizerJsonSchema>;
  try {
    parsed = optimizerJsonSchema.parse(JSON.parse(await fs.readFile(jsonPath, 'utf8')));
  } catch (err) {
    throw new Error(`cannot read the optimizer state ${jsonPath}: ${(err as Error).message}`);
  }
  const bytes = await fs.readFile(binPath);
  const expected = parsed.weights.reduce((s, w) => s + 2 * elements(w.shape), 0) * 4;
  if (bytes.length !== expected) throw new Error(`${binPath} has ${bytes.length} bytes, expected ${expected}`);
  const all = fromLittleEndianBytes(bytes);
  const weights = parsed.weights.map((w) => {
    const n = elements(w.shape);
    return { name: w.name, shape: w.shape, m: all.slice(w.offset, w.offset + n), v: all.slice(w.offset + n, w.offset + 2 * n) };
  });
  return { iterations: parsed.iterations, beta1: parsed.beta1, beta2: parsed.beta2, epsilon: parsed.epsilon, lr: parsed.lr, weights };
}

function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function littleEndianBytes(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => out.setFloat32(i * 4, v, true));
  return new Uint8Array(out.buffer);
}

function fromLittleEndianBytes(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
