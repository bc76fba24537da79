/**
 * Hostile input: PyTorch checkpoints and export folders that do not fit — a truncated .pt, a .pt of another
 * format version, a .pt whose tensor shapes do not match its model, an export folder of another version,
 * and an import into a run name that exists.
 * Fault injected: the files are cut, edited or made by a foreign writer (Python, as train.py would).
 * What must hold: a clear error naming the file and the mismatch; no run folder is created and an existing
 * run is left exactly as it was.
 */
import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine/models/tf';
import { buildModel } from '../../src/engine/models/registry';
import { saveModel } from '../../src/engine/models/io';
import { runExportPytorch } from '../../src/engine/export/pytorch/export-folder';
import { runImportPytorch } from '../../src/engine/import/pytorch/import-run';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { PYTHON, runPython, torchMissing } from '../helpers/torch';

const missing = torchMissing();
let dir: string;
let exported: string;
let runsDir: string;

// Checkpoints as train.py writes them (its checkpoint_of), then edited: another version, a wrong shape.
const MAKE = `
import os, sys, json, torch
sys.path.insert(0, sys.argv[1])
import train
model, meta = train.load_exported(sys.argv[1])
meta["out"] = sys.argv[2]
names = [n for n, _ in model.named_parameters()]
st = {k: meta["state"][k] for k in ("step", "samplesSeen", "data", "smoothedLoss", "lr", "bestPsnr", "bestStep", "lastValidation", "trainSeconds")}
st.update(iterations=0, targetStep=5)
ck = train.checkpoint_of(model, train.KerasAdam(model.parameters()), names, st, train.Schedule(meta["state"]["schedule"]), meta)
torch.save(ck, os.path.join(sys.argv[2], "good.pt"))
torch.save(dict(ck, version=2), os.path.join(sys.argv[2], "newer.pt"))
ck["model"]["head.weight"] = torch.zeros(8, 3, 3, 3)
torch.save(ck, os.path.join(sys.argv[2], "shape.pt"))
`;

beforeAll(async () => {
  if (missing) return;
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(os.tmpdir(), 'pytorch-import-bad-'));
  const modelDir = path.join(dir, 'model');
  const model = buildModel('resunet', 'small');
  await saveModel(model, modelDir, { metadata: { model: 'resunet', preset: 'small' } });
  model.dispose();
  exported = path.join(dir, 'export');
  await runExportPytorch({ model: modelDir, out: exported }, createTestContext());
  runPython(MAKE, [exported, dir]);
  runsDir = path.join(dir, 'runs');
  await mkdir(runsDir);
}, 60_000);
afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

const importing = (source: string, run: string) => runImportPytorch({ source, runsDir, run, dataset: path.join(dir, 'set') }, createTestContext());

describe.skipIf(missing !== null)('import: checkpoints that do not fit', () => {
  it('a good checkpoint of train.py imports (the baseline the cases below break)', async () => {
    const r = await importing(path.join(dir, 'good.pt'), 'good');
    expect(r.checkpoints).toEqual(['last']);
  });

  it('a truncated .pt: names the file and says it is truncated; no run folder appears', async () => {
    const bytes = await readFile(path.join(dir, 'good.pt'));
    const cut = path.join(dir, 'cut.pt');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expect(importing(cut, 'cut')).rejects.toThrow(new RegExp(`${cut.replace(/[.]/g, '\\.')} is not a complete PyTorch checkpoint: .*truncated`));
    expect(await readdir(runsDir)).not.toContain('cut');
  });

  it('a .pt of another format version: names the file and both versions', async () => {
    const file = path.join(dir, 'newer.pt');
    await expect(importing(file, 'newer')).rejects.toThrow(`${file} is format "deblur-studio/pytorch-checkpoint" version 2; this app imports "deblur-studio/pytorch-checkpoint" version 1`);
    expect(await readdir(runsDir)).not.toContain('newer');
  });

  it('a tensor of the wrong shape: names the file, the tensor and both shapes', async () => {
    const file = path.join(dir, 'shape.pt');
    await expect(importing(file, 'shape')).rejects.toThrow(`${file}: tensor head.weight has shape [8, 3, 3, 3], the resunet (small) model needs [16, 3, 3, 3]`);
    expect((await readdir(runsDir)).filter((n) => n !== 'good')).toEqual([]); // no run, no temp folder left
  });

  it('an existing run is never written into', async () => {
    const before = await readdir(path.join(runsDir, 'good'), { recursive: true });
    await expect(importing(path.join(dir, 'good.pt'), 'good')).rejects.toThrow(/a run named "good" already exists .*never writes into an existing run/);
    expect(await readdir(path.join(runsDir, 'good'), { recursive: true })).toEqual(before);
  });

  it('train.py refuses an export folder of another version, naming its export.json and both versions', async () => {
    const meta = JSON.parse(await readFile(path.join(exported, 'export.json'), 'utf8')) as Record<string, unknown>;
    const older = path.join(dir, 'export-v0');
    await mkdir(older);
    for (const f of await readdir(exported)) await writeFile(path.join(older, f), await readFile(path.join(exported, f)));
    await writeFile(path.join(older, 'export.json'), JSON.stringify({ ...meta, version: 0 }));
    const r = spawnSync(PYTHON, [path.join(older, 'train.py'), '--data', dir, '--steps', '1', '--out', path.join(dir, 'never')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${path.join(older, 'export.json')} is format 'deblur-studio/pytorch-export' version 0; this model.py reads 'deblur-studio/pytorch-export' version 1`);
  });

  it('export never writes into an existing non-empty folder', async () => {
    await expect(runExportPytorch({ model: path.join(dir, 'model'), out: exported }, createTestContext())).rejects.toThrow(`${exported} already exists and is not empty`);
  });
});
