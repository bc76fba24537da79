import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { JobParams, JobResult } from '../../../shared/contract';
import { trainParams } from '../../../shared/contract';
import { appVersion } from '../../../shared/app-version';
import { BEST_PT, LAST_PT } from '../../export/pytorch/format';
import { fromTorchLayout, torchNameOf, torchShapeOf } from '../../export/pytorch/layout';
import { publishNewDir } from '../../fs/atomic';
import { describeFsError } from '../../fs/errors';
import type { JobContext } from '../../jobs/job-context';
import { buildModel, getModelInfo, getPresetInfo } from '../../models/registry';
import * as tf from '../../models/tf';
import { selectRuntime } from '../../runtime/select';
import { saveCheckpoint } from '../../train/checkpoint';
import { checkpointStateSchema, type CheckpointState } from '../../train/checkpoint-state';
import { jsonLine, parseJsonLines } from '../../fs/jsonl';
import { HISTORY_EVENTS, HISTORY_FILE } from '../../train/history';
import type { AdamState } from '../../train/optimizer-state';
import { writeRunConfig, type CheckpointKind, type RunConfig } from '../../train/run-dir';
import { checkpointContent, type PtCheckpoint } from './checkpoint-content';
import { PtFileError, readPtFile } from './read-pt';
import { gateFromHistory } from './restoration-gate';

/**
 * The `import-pytorch` job: train.py's checkpoint (a .pt file, or its --out folder: last.pt and best.pt)
 * becomes a new run folder the app opens (deblur, evaluate, fine-tune, its history in the Train view).
 * Everything is checked before anything is written; the run folder is built in a temp folder and renamed
 * into place, and an existing run is never written into.
 */
export async function runImportPytorch(params: JobParams<'import-pytorch'>, ctx: JobContext): Promise<JobResult<'import-pytorch'>> {
  const runDir = path.join(params.runsDir, params.run);
  await assertNewRun(runDir, params.run);
  const files = await checkpointFiles(params.source);
  ctx.progress(0.1, `reading ${files.last}`);
  const last = checkpointContent(await readPtFile(files.last), files.last);
  const best = files.best ? checkpointContent(await readPtFile(files.best), files.best) : null;
  if (best && files.best && (best.architecture.model !== last.architecture.model || best.architecture.preset !== last.architecture.preset)) {
    throw new PtFileError(`${files.best} is a ${best.architecture.model} (${best.architecture.preset}), ${files.last} a ${last.architecture.model} (${last.architecture.preset}): not one run`, files.best);
  }
  const config = runConfigFor(last, params);
  const kernelAware = getModelInfo(config.params.model).restoration === 'kernel-aware';
  await selectRuntime();
  const checkpoints: CheckpointKind[] = [];
  const history = historyLines(last.history, last.state.step);
  try {
    await publishNewDir(
      runDir,
      async (tmp) => {
        await writeRunConfig(tmp, config);
        for (const [kind, ck, file] of [['last', last, files.last], ['best', best, files.best]] as const) {
          if (!ck || !file) continue;
          ctx.progress(kind === 'last' ? 0.4 : 0.7, `converting ${file}`);
          await withAppModel(ck, file, async (model, optimizer) => {
            // A kernel-aware model's gate: from the last validation in this checkpoint's own history (none: no gate, the Wiener filter alone).
            const restoration = kernelAware ? gateFromHistory(historyLines(ck.history, ck.state.step).join(''), config.dataset.sigmas ?? {}) : undefined;
            const metadata = {
              model: config.params.model,
              preset: config.params.preset,
              inputConstraint: getPresetInfo(config.params.model, config.params.preset).inputConstraint,
              run: params.run,
              ...(restoration ? { restoration } : {}),
            };
            await saveCheckpoint(tmp, kind, { model, optimizer, state: stateOf(ck, file), metadata });
          });
          checkpoints.push(kind);
        }
        await fs.writeFile(path.join(tmp, HISTORY_FILE), history.join(''));
      },
      () => assertNewRun(runDir, params.run),
    );
    ctx.log('info', `imported ${files.last} (step ${last.state.step}) as the run ${params.run} in ${params.runsDir}`);
    return { runDir, step: last.state.step, checkpoints, historyEntries: history.length };
  } catch (err) {
    if (err instanceof PtFileError || (err instanceof Error && !(err as NodeJS.ErrnoException).code)) throw err;
    throw describeFsError(err, runDir, 'write the imported run');
  }
}

async function assertNewRun(runDir: string, run: string): Promise<void> {
  const entries = await fs.readdir(runDir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(describeFsError(err, runDir, 'read'))));
  if (entries.length > 0) throw new Error(`a run named "${run}" already exists (${runDir}); choose another --run name: an import never writes into an existing run`);
}

/** A .pt file as is; a folder: its last.pt (required) and best.pt (when there). */
async function checkpointFiles(source: string): Promise<{ last: string; best: string | null }> {
  const stat = await fs.stat(source).catch(() => null);
  if (!stat) throw new Error(`${source} does not exist: name train.py's --out folder or one of its .pt files`);
  if (stat.isFile()) return { last: source, best: null };
  const last = path.join(source, LAST_PT);
  const best = path.join(source, BEST_PT);
  const has = (f: string) => fs.stat(f).then((s) => s.isFile(), () => false);
  if (!(await has(last))) throw new Error(`${source} holds no ${LAST_PT}: name train.py's --out folder or one of its .pt files`);
  return { last, best: (await has(best)) ? best : null };
}

/**
 * Builds the zoo model of the checkpoint and puts its weights and Adam moments in, converted back to
 * TF.js's layout. A tensor the model lacks, one it needs that is missing, or one of another shape is an
 * error naming the file, the tensor and both shapes.
 */
async function withAppModel(ck: PtCheckpoint, file: string, fn: (model: tf.LayersModel, optimizer: AdamState) => Promise<void>): Promise<void> {
  const { model: name, preset } = ck.architecture;
  const model = buildModel(name, preset);
  try {
    const convert = (tensors: Record<string, { shape: number[]; values: Float32Array }>, tfName: string, tfShape: number[], what: string) => {
      const torchName = torchNameOf(tfName);
      const t = tensors[torchName];
      if (!t) throw new PtFileError(`${file} has no ${what} ${torchName}, which the ${name} (${preset}) model needs`, file);
      const want = torchShapeOf(tfShape, tfName);
      if (t.shape.join() !== want.join()) throw new PtFileError(`${file}: ${what} ${torchName} has shape [${t.shape.join(', ')}], the ${name} (${preset}) model needs [${want.join(', ')}]`, file);
      return fromTorchLayout(t, torchName).values;
    };
    const weights = model.weights.map((w) => ({ name: w.originalName, shape: [...w.shape] as number[] }));
    const known = new Set(weights.map((w) => torchNameOf(w.name)));
    const extra = Object.keys(ck.model).filter((k) => !known.has(k));
    if (extra.length > 0) throw new PtFileError(`${file} holds tensors the ${name} (${preset}) model does not have: ${extra.slice(0, 5).join(', ')}`, file);
    const values = weights.map((w) => tf.tensor(convert(ck.model, w.name, w.shape, 'tensor'), w.shape, 'float32'));
    try {
      model.setWeights(values);
    } finally {
      tf.dispose(values);
    }
    const m = Object.fromEntries(Object.entries(ck.adam.moments).map(([k, v]) => [k, v.m]));
    const v = Object.fromEntries(Object.entries(ck.adam.moments).map(([k, x]) => [k, x.v]));
    const trainable = model.trainableWeights.map((w) => ({ name: w.originalName, shape: [...w.shape] as number[] }));
    const optimizer: AdamState = {
      iterations: ck.adam.iterations,
      beta1: ck.adam.beta1,
      beta2: ck.adam.beta2,
      epsilon: ck.adam.epsilon,
      lr: ck.adam.lr,
      weights: trainable.map((w) => ({ name: w.name, shape: w.shape, m: convert(m, w.name, w.shape, 'Adam moment'), v: convert(v, w.name, w.shape, 'Adam moment') })),
    };
    await fn(model, optimizer);
  } finally {
    model.dispose();
  }
}

function stateOf(ck: PtCheckpoint, file: string): CheckpointState {
  const { targetStep: _target, ...s } = ck.state;
  const parsed = checkpointStateSchema.safeParse({ format: 'deblur-studio/train-checkpoint', version: 1, ...s, savedAt: new Date().toISOString() });
  if (!parsed.success) throw new PtFileError(`${file}: its training state does not fit the app's (${parsed.error.issues[0]?.message})`, file);
  return parsed.data;
}

/** The run's config.json: the exported run's own, renamed and pointed at this runs folder (and data set, if given). */
function runConfigFor(ck: PtCheckpoint, params: JobParams<'import-pytorch'>): RunConfig {
  const t = ck.trainConfig;
  const original = ck.runConfig;
  const dataset = params.dataset ?? original?.params.dataset;
  if (!dataset) throw new Error('the checkpoint comes from a model without a training run: name the prepared data set it was trained on (--dataset)');
  const stepsPerEpoch = original?.stepsPerEpoch ?? t.stepsPerEpoch ?? Math.max(1, t.validateEvery);
  const totalSteps = Math.max(1, ck.state.step, original?.totalSteps ?? 0);
  const base = original?.params ?? { model: ck.architecture.model, preset: ck.architecture.preset, lr: ck.adam.lr, schedule: ck.state.schedule.kind };
  const p = trainParams.parse({
    ...base,
    dataset,
    runsDir: params.runsDir,
    run: params.run,
    batch: t.batch,
    patch: t.patch,
    loss: t.loss,
    levelWeights: t.levelWeights,
    seed: t.seed,
    epochs: Math.min(100_000, Math.ceil(totalSteps / stepsPerEpoch)),
    stepsPerEpoch: original?.params.stepsPerEpoch ?? null,
    validateEvery: original?.params.validateEvery ?? t.validateEvery,
    init: null,
  });
  return {
    format: 'deblur-studio/train-run',
    version: 1,
    params: p,
    createdAt: new Date().toISOString(),
    stepsPerEpoch,
    totalSteps,
    validateEvery: t.validateEvery,
    dataset: datasetFactsFor(ck, original),
    app: { version: appVersion, backend: 'pytorch' },
  };
}

/**
 * The exported run's data set facts; with the σ of each level train.py trained on where the run had none
 * (a model without a run, or a run made before kernel-aware models), so a kernel-aware run's gate can name them.
 */
function datasetFactsFor(ck: PtCheckpoint, original: RunConfig | null): RunConfig['dataset'] {
  const sigmas = ck.sigmas && Object.keys(ck.sigmas).length > 0 ? ck.sigmas : undefined;
  const base = original?.dataset ?? { trainImages: 0, valImages: 0, levels: sigmas ? Object.keys(sigmas).map(Number).sort((a, b) => a - b) : [] };
  return base.sigmas || !sigmas ? base : { ...base, sigmas };
}

/** The history lines the checkpoint carries, up to its step (what a relaunch would train again is left out). */
function historyLines(text: string, step: number): string[] {
  // A torn line (the file was copied while train.py appended to it) is skipped, as the app's reader does.
  const upToStep = (v: unknown): boolean => {
    if (typeof v !== 'object' || v === null) return false;
    const e = v as { event?: unknown; payload?: { step?: unknown } | null };
    return HISTORY_EVENTS.includes(e.event as (typeof HISTORY_EVENTS)[number]) && typeof e.payload?.step === 'number' && e.payload.step <= step;
  };
  return parseJsonLines(text, { unterminated: 'parse' }).filter(upToStep).map(jsonLine);
}

