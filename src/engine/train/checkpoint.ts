import { promises as fs } from 'node:fs';
import path from 'node:path';
import { recoverReplacedDir, replaceDirAtomic, tempPathFor, TEMP_MARKER } from '../fs/atomic';
import { describeFsError } from '../fs/errors';
import { assertConfined } from '../fs/confinement';
import { loadModel, saveModel, type ModelMetadata } from '../models/io';
import type * as tf from '../models/tf';
import { readAdamState, writeAdamState, type AdamState } from './optimizer-state';
import { runPaths, type CheckpointKind } from './run-dir';
import { readCheckpointState, STATE_FILE, type CheckpointState } from './checkpoint-state';

export { checkpointStateSchema, readCheckpointState, STATE_FILE, type CheckpointState } from './checkpoint-state';

/**
 * Checkpoints: everything needed to continue a run exactly, in one folder per kind
 * (`checkpoints/last`, `checkpoints/best`):
 *   model.json + weights     standard TF.js layers format (models/io), loadable on its own
 *   optimizer.json/.bin      Adam's moments and step count (optimizer-state.ts)
 *   state.json               counters, schedule, data position, smoothed loss, best PSNR
 * A checkpoint is written completely into a temp folder next to its final place and then swapped
 * in (fs/atomic replaceDirAtomic): a kill at any moment leaves the previous checkpoint loadable.
 */
export interface LoadedCheckpoint {
  dir: string;
  model: tf.LayersModel;
  optimizer: AdamState;
  state: CheckpointState;
}

/**
 * Test seam: runs after the temp folder is complete and before it is swapped in. Crash tests set
 * it (in a child process) to kill the process exactly there.
 */
export const checkpointHooks: { beforeSwap?: (tmpDir: string, finalDir: string) => void | Promise<void> } = {};

/** Writes a complete checkpoint of `kind` and swaps it in; returns its folder. */
export async function saveCheckpoint(
  runDir: string,
  kind: CheckpointKind,
  content: { model: tf.LayersModel; optimizer: AdamState; state: CheckpointState; metadata?: ModelMetadata },
): Promise<string> {
  const finalDir = runPaths(runDir).checkpoint(kind);
  await assertConfined(finalDir, 'write');
  await fs.mkdir(path.dirname(finalDir), { recursive: true });
  const tmp = tempPathFor(finalDir);
  try {
    await saveModel(content.model, tmp, { metadata: { ...content.metadata, training: { step: content.state.step, checkpoint: kind } } });
    await writeAdamState(tmp, content.optimizer);
    await fs.writeFile(path.join(tmp, STATE_FILE), `${JSON.stringify(content.state, null, 2)}\n`);
    await syncFiles(tmp);
    await checkpointHooks.beforeSwap?.(tmp, finalDir);
    await replaceDirAtomic(tmp, finalDir);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw describeFsError(err, finalDir, `write the ${kind} checkpoint`);
  }
  return finalDir;
}

/**
 * Makes `to` a copy of checkpoint `from` (best = last at the moment it is reached), atomically.
 * Files are hard-linked where the filesystem allows (a checkpoint's files are never modified in
 * place: every save writes a new folder), else copied.
 */
export async function copyCheckpoint(runDir: string, from: CheckpointKind, to: CheckpointKind): Promise<string> {
  const paths = runPaths(runDir);
  const source = paths.checkpoint(from);
  const finalDir = paths.checkpoint(to);
  await assertConfined(finalDir, 'write');
  const tmp = tempPathFor(finalDir);
  try {
    await fs.mkdir(tmp);
    for (const entry of await fs.readdir(source, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const src = path.join(source, entry.name);
      const dst = path.join(tmp, entry.name);
      await fs.link(src, dst).catch(() => fs.copyFile(src, dst));
    }
    await syncFiles(tmp);
    await replaceDirAtomic(tmp, finalDir);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw describeFsError(err, finalDir, `write the ${to} checkpoint`);
  }
  return finalDir;
}

/**
 * Repairs what a kill during a save can leave (a swapped-out folder not yet renamed back, temp
 * folders), so the last complete checkpoint of each kind is in place.
 */
export async function recoverCheckpoints(runDir: string): Promise<void> {
  const root = runPaths(runDir).checkpoints;
  for (const kind of ['last', 'best'] as const) await recoverReplacedDir(path.join(root, kind));
  const entries = await fs.readdir(root).catch(() => [] as string[]);
  await Promise.all(
    entries.filter((e) => e.startsWith('.') && e.includes(TEMP_MARKER)).map((e) => fs.rm(path.join(root, e), { recursive: true, force: true })),
  );
}

/** Loads model, optimizer state and counters of checkpoint `kind` (after repairing an interrupted save). */
export async function loadCheckpoint(runDir: string, kind: CheckpointKind): Promise<LoadedCheckpoint> {
  await recoverCheckpoints(runDir);
  const dir = runPaths(runDir).checkpoint(kind);
  const state = await readCheckpointState(dir);
  const optimizer = await readAdamState(dir);
  const model = await loadModel(dir);
  return { dir, model, optimizer, state };
}

/** fsync every file of a freshly written folder, so the swap never exposes unflushed data after a power cut. */
async function syncFiles(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const handle = await fs.open(path.join(dir, entry.name), 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
