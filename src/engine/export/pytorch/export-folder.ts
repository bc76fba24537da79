import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { JobParams, JobResult } from '../../../shared/contract';
import { trainParams } from '../../../shared/contract';
import { appVersion } from '../../../shared/app-version';
import { publishNewDir } from '../../fs/atomic';
import { describeFsError } from '../../fs/errors';
import type { JobContext } from '../../jobs/job-context';
import { freshCheckpointState, type CheckpointState } from '../../train/checkpoint-state';
import { architectureOf, inputMultipleOf, isKernelAware } from './architecture';
import { ADAM_FILE, EXPORT_FILE, EXPORT_FORMAT, EXPORT_HISTORY_FILE, EXPORT_VERSION, WEIGHTS_FILE, type ExportJson, type TensorEntry, type TrainConfig } from './format';
import { toTorchLayout, torchNameOf, type Tensor32 } from './layout';
import { readExportSource, type ExportSource } from './read-source';
import { MODEL_PY } from './templates/model-py';
import { readmeFor } from './templates/readme';
import { TRAIN_PY } from './templates/train-py';

/**
 * The `export-pytorch` job: a self-contained folder to train the model with torchrun elsewhere —
 * model.py (the architecture as torch modules), train.py (DDP training as the app trains), README.md,
 * export.json + weights.bin (torch layout), optimizer.bin (Adam's moments) and the run's history.
 * The folder is written whole into a temp folder and renamed into place; an existing non-empty folder is
 * never written into.
 */
export async function runExportPytorch(params: JobParams<'export-pytorch'>, ctx: JobContext): Promise<JobResult<'export-pytorch'>> {
  const out = path.resolve(params.out);
  await assertFreeFolder(out);
  ctx.progress(0.1, `reading ${params.model}`);
  const source = await readExportSource(params.model);
  const files = exportFiles(source);
  ctx.progress(0.5, `writing ${out}`);
  try {
    await publishNewDir(
      out,
      async (tmp) => {
        for (const [name, data] of Object.entries(files)) await fs.writeFile(path.join(tmp, name), data);
      },
      () => assertFreeFolder(out),
    );
  } catch (err) {
    if (err instanceof Error && err.message.startsWith(out)) throw err;
    throw describeFsError(err, out, 'write the PyTorch export');
  }
  const step = source.run?.state.step ?? 0;
  ctx.log('info', `${source.model} (${source.preset}) at step ${step} → ${out}`);
  return { out, files: Object.keys(files).sort(), model: source.model, preset: source.preset, step, optimizer: source.run !== null };
}

async function assertFreeFolder(out: string): Promise<void> {
  const entries = await fs.readdir(out).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    if (err.code === 'ENOTDIR') throw new Error(`${out} is a file; choose a new folder for the PyTorch export`);
    throw describeFsError(err, out, 'read');
  });
  if (entries.length > 0) throw new Error(`${out} already exists and is not empty; choose a new folder for the PyTorch export (nothing was written)`);
}

/** Every file of the export folder, by name. */
export function exportFiles(source: ExportSource): Record<string, string | Uint8Array> {
  const where = path.join(source.dir, 'model.json');
  const architecture = architectureOf(source.model, source.preset, where);
  const weights = packTensors(source.weights.map((w) => ({ name: torchNameOf(w.name), ...toTorchLayout(w, w.name) })));
  const adam = source.run?.adam;
  const moments = packTensors(
    (adam?.weights ?? []).flatMap((w) => [
      { name: `${torchNameOf(w.name)}/m`, ...toTorchLayout({ values: w.m, shape: w.shape }, w.name) },
      { name: `${torchNameOf(w.name)}/v`, ...toTorchLayout({ values: w.v, shape: w.shape }, w.name) },
    ]),
  );
  const { format: _f, version: _v, savedAt: _s, ...state } = source.run?.state ?? freshState();
  const json: ExportJson = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    createdAt: new Date().toISOString(),
    app: { version: appVersion },
    source: { requested: source.requested, dir: source.dir, runDir: source.runDir },
    architecture,
    inputMultiple: inputMultipleOf(architecture),
    weightsFile: WEIGHTS_FILE,
    weights: weights.index,
    adam: { file: ADAM_FILE, iterations: adam?.iterations ?? 0, beta1: adam?.beta1 ?? 0.9, beta2: adam?.beta2 ?? 0.999, epsilon: adam?.epsilon ?? 1e-7, lr: adam?.lr ?? state.lr, moments: moments.index },
    trainConfig: trainConfigOf(source),
    runConfig: source.run?.config ?? null,
    state,
  };
  return {
    [EXPORT_FILE]: `${JSON.stringify(json, null, 1)}\n`,
    [WEIGHTS_FILE]: weights.bytes,
    [ADAM_FILE]: moments.bytes,
    [EXPORT_HISTORY_FILE]: source.run?.history ?? '',
    'model.py': MODEL_PY,
    'train.py': TRAIN_PY,
    'README.md': readmeFor({ model: source.model, preset: source.preset, step: state.step, fromRun: source.run !== null, kernelAware: isKernelAware(architecture), trainConfig: json.trainConfig }),
  };
}

/** A model without a run starts a fresh optimizer at a constant rate (train.py --schedule/--lr start another). */
function freshState(): CheckpointState {
  const defaults = trainParams.parse({ dataset: '/', runsDir: '/', run: 'x' });
  return freshCheckpointState(defaults.lr, { kind: 'constant', lr: defaults.lr }, '');
}

function trainConfigOf(source: ExportSource): TrainConfig {
  if (source.run) {
    const { config } = source.run;
    const p = config.params;
    return { name: p.run, batch: p.batch, patch: p.patch, loss: p.loss, levelWeights: p.levelWeights, seed: p.seed, validateEvery: config.validateEvery, stepsPerEpoch: config.stepsPerEpoch };
  }
  const d = trainParams.parse({ dataset: '/', runsDir: '/', run: 'x' });
  const patch = source.model === 'seed-autoencoder' ? null : d.patch;
  return { name: `${source.model}-${source.preset}`, batch: d.batch, patch, loss: d.loss, levelWeights: null, seed: d.seed, validateEvery: 100, stepsPerEpoch: null };
}

/** Float32 tensors back to back, little-endian, with their (name, shape, offset in elements). */
export function packTensors(tensors: ReadonlyArray<{ name: string } & Tensor32>): { index: TensorEntry[]; bytes: Uint8Array } {
  const total = tensors.reduce((n, t) => n + t.values.length, 0);
  const view = new DataView(new ArrayBuffer(total * 4));
  let offset = 0;
  const index = tensors.map((t) => {
    t.values.forEach((v, i) => view.setFloat32((offset + i) * 4, v, true));
    const entry = { name: t.name, shape: t.shape, offset };
    offset += t.values.length;
    return entry;
  });
  return { index, bytes: new Uint8Array(view.buffer) };
}
