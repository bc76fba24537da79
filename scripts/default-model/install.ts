/**
 * Installs a trained model (a run's checkpoints/last or /best folder) as the app's built-in model (resources/models/default):
 * the weights as trained, re-saved through the app's own atomic model IO with a one-line summary of
 * its held-out evaluation in model.json (the Deblur view shows it next to the built-in model).
 *
 * Usage: node bin/tsx.mjs scripts/default-model/install.ts <model folder> <held-out eval.json> [<target>]
 * The evaluation must be of that very folder, so the summary describes the weights installed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEval } from '../../src/engine/evaluate/eval-schema';
import { resolveModelSource } from '../../src/engine/infer/model-source';
import { loadModel, readModelMetadata, saveModel } from '../../src/engine/models/io';
import { fmtGain } from '../../src/engine/report/format';
import { selectRuntime } from '../../src/engine/runtime/select';

async function main(): Promise<void> {
  const [modelDir, evalJson, target = path.resolve('resources', 'models', 'default')] = process.argv.slice(2);
  if (!modelDir || !evalJson) throw new Error('usage: install.ts <model folder> <held-out eval.json> [<target folder>]');
  const source = await resolveModelSource(path.resolve(modelDir));
  const evaluation = parseEval(await readFile(evalJson, 'utf8'), evalJson);
  if (path.resolve(evaluation.meta.model.dir) !== path.resolve(source.dir)) {
    throw new Error(`${evalJson} scores ${evaluation.meta.model.dir}, not ${source.dir}: evaluate the checkpoint being installed`);
  }
  const levels = evaluation.summary.levels.filter((l) => l.kernel !== null && l.gainOverIdentityDb !== null);
  const gains = levels
    .filter((l) => l.kernel !== 3)
    .map((l) => `${fmtGain(l.gainOverIdentityDb)} dB at ${l.sigma === null ? l.level : `σ ${l.sigma.toFixed(1)}`}`)
    .reverse();
  const nearlySharp = levels.find((l) => l.kernel === 3);
  const kept = nearlySharp?.model.psnr.meanDb == null ? '' : `; nearly sharp (σ 0.3) inputs stay at ${nearlySharp.model.psnr.meanDb.toFixed(1)} dB`;
  const photos = new Set(evaluation.images.map((i) => i.name)).size;
  const summary = `Trained on Debian mate-backgrounds photos only. PSNR over the blurred input on ${photos} held-out photos: ${gains.join(', ')}${kept}.`;

  await selectRuntime();
  const model = await loadModel(source.dir);
  const trained = await readModelMetadata(source.dir);
  await saveModel(model, target, {
    metadata: { ...trained, summary, heldOut: evaluation.summary.levels.map((l) => ({ kernel: l.kernel, model: l.model, identity: l.identity, wiener: l.wiener })) },
  });
  console.log(`installed ${source.dir} into ${target}\n${summary}`);
}

await main();
