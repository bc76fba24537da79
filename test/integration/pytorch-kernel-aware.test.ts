/**
 * PyTorch export of the kernel-aware model (wiener-resunet), for real:
 *  - train.py's numpy Wiener filter against the app's (wienerInput) on real fixture photos blurred as `prepare`
 *    blurs them, at the course levels and at σ between them (K interpolated as the app interpolates it);
 *  - a short single-process train.py run on a tiny prepared set: its validation lines carry networkPsnr,
 *    wienerPsnr, refined and the routed psnr, and equal the app's own validation of the same weights;
 *  - importing the checkpoint gives a run whose model.json holds the gate of that history's last validation.
 */
import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, readModelMetadataOf } from '../../src/shared/contract';
import { wienerSettings } from '../../src/engine/export/pytorch/architecture';
import { runExportPytorch } from '../../src/engine/export/pytorch/export-folder';
import { runImportPytorch } from '../../src/engine/import/pytorch/import-run';
import { readCompleteManifest } from '../../src/engine/data/manifest';
import { gaussianBlurOpenCV } from '../../src/engine/image/gaussian';
import { createTestContext } from '../../src/engine/jobs/job-context';
import * as tf from '../../src/engine/models/tf';
import { buildModel, getPresetInfo } from '../../src/engine/models/registry';
import { readModelMetadata, saveModel } from '../../src/engine/models/io';
import { wienerInput } from '../../src/engine/restore/wiener-input';
import { wienerKernelOfLevel } from '../../src/engine/restore/wiener-kernel';
import { loadCheckpoint } from '../../src/engine/train/checkpoint';
import { lossFunction } from '../../src/engine/train/losses';
import { loadValidationSet, validate } from '../../src/engine/train/validation';
import { fixturePath, readPngRaw } from '../helpers/fixtures';
import { PYTHON, runPython, torchMissing } from '../helpers/torch';
import { makeTileDataset } from './train-helpers';

const missing = torchMissing();
let dir: string;
let exported: string;

beforeAll(async () => {
  if (missing) return;
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(os.tmpdir(), 'pytorch-kernel-aware-'));
  const model = buildModel('wiener-resunet', 'small');
  const modelDir = path.join(dir, 'model');
  await saveModel(model, modelDir, { metadata: { model: 'wiener-resunet', preset: 'small' } });
  model.dispose();
  exported = path.join(dir, 'export');
  await runExportPytorch({ model: modelDir, out: exported }, createTestContext());
}, 60_000);
afterAll(() => (dir && !process.env.KEEP_TMP ? rm(dir, { recursive: true, force: true }) : undefined));

/** Per case: K from train.py's wiener_kernel_of_level, and its Wiener output of the raw input (written to out). */
const TWIN = `
import json, sys, numpy as np
sys.path.insert(0, sys.argv[1])
import train
meta = json.load(open(sys.argv[1] + "/export.json"))
w, h = int(sys.argv[3]), int(sys.argv[4])
cases = json.loads(sys.argv[5])
ks = []
for i, c in enumerate(cases):
    img = np.fromfile(sys.argv[2] + f"-{i}.raw", dtype=np.uint8).reshape(h, w, 3)
    kernel = train.wiener_kernel_of_level(c["ksize"], c["sigma"], meta["architecture"]["wiener"])
    ks.append(kernel["k"])
    train.wiener_input(img, kernel).tofile(sys.argv[2] + f"-{i}.out")
print(json.dumps(ks))
`;

describe.skipIf(missing !== null)('wiener-resunet: PyTorch export', () => {
  it('export.json names the resunet layers and carries the app Wiener settings', async () => {
    const json = JSON.parse(await readFile(path.join(exported, 'export.json'), 'utf8'));
    expect(json.architecture).toMatchObject({ model: 'wiener-resunet', preset: 'small', wiener: wienerSettings() });
    expect(json.architecture.wiener.levels.map((l: { ksize: number }) => l.ksize)).toEqual([3, 7, 11]);
    const readme = await readFile(path.join(exported, 'README.md'), 'utf8');
    expect(readme).toMatch(/Wiener deconvolution/);
    expect(readme).toMatch(/train\.py makes these inputs itself/);
  });

  it.each([
    { photo: 'ladybird-300x170.png' }, // one block row (small image: 256 blocks), two columns
    { photo: 'dune-640x360.png' }, // 4 × 2 blocks of 256 with 32 px margins
  ])("train.py's numpy Wiener filter equals the app's on $photo (course levels and σ between them)", async ({ photo }) => {
    const sharp = await readPngRaw(fixturePath('photos', photo), 3);
    const cases = [
      { ksize: 3, sigma: 0.3 },
      { ksize: 7, sigma: 1.0 },
      { ksize: 11, sigma: 1.6 },
      { ksize: 9, sigma: 1.3 }, // K log-linear between the 7 and 11 levels
      { ksize: 5, sigma: 0.6 }, // between 3 and 7
      { ksize: 13, sigma: 2.0 }, // beyond the strongest level: its K
    ];
    const base = path.join(dir, `twin-${photo}`);
    const want = cases.map((c, i) => {
      const blurred = gaussianBlurOpenCV(sharp, c.ksize, c.sigma);
      return { blurred, i, kernel: wienerKernelOfLevel(c.ksize, c.sigma) };
    });
    for (const { blurred, i } of want) await writeFile(`${base}-${i}.raw`, blurred.data);
    const ks = JSON.parse(runPython(TWIN, [exported, base, String(sharp.width), String(sharp.height), JSON.stringify(cases)])) as number[];
    for (const { blurred, i, kernel } of want) {
      expect(ks[i]! / kernel.k, `K of ksize ${kernel.ksize} σ ${kernel.sigma}`).toBeCloseTo(1, 12);
      const app = wienerInput(blurred, kernel).data;
      const py = new Uint8Array(await readFile(`${base}-${i}.out`));
      expect(py.length).toBe(app.length);
      let equal = 0;
      let worst = 0;
      for (let j = 0; j < app.length; j++) {
        const d = Math.abs(app[j]! - py[j]!);
        if (d === 0) equal++;
        worst = Math.max(worst, d);
      }
      expect(equal / app.length, `ksize ${kernel.ksize} σ ${kernel.sigma}: share of equal bytes`).toBeGreaterThanOrEqual(0.999);
      expect(worst, `ksize ${kernel.ksize} σ ${kernel.sigma}: largest difference`).toBeLessThanOrEqual(1);
      // The filter did something: the output is not the blurred input.
      expect(app.some((v, j) => v !== blurred.data[j])).toBe(true);
    }
  }, 120_000);

  it('train.py trains it on Wiener inputs, validates network against filter as the app does, and the import stores the gate', async () => {
    const data = await makeTileDataset(dir, { count: 8, levels: [3, 11], split: [0.5, 0.25, 0.25] });
    const out = path.join(dir, 'ck');
    const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1' };
    for (const k of ['WORLD_SIZE', 'RANK', 'LOCAL_RANK']) delete env[k];
    const r = spawnSync(PYTHON, [path.join(exported, 'train.py'), '--data', data, '--steps', '4', '--out', out, '--threads', '1', '--validate-every', '2', '--batch', '4', '--patch', '32'], {
      encoding: 'utf8',
      env,
      timeout: 240_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Wiener deconvolutions/);

    const lines = (await readFile(path.join(out, 'history.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { event: string; payload: unknown });
    const validations = lines.filter((l) => l.event === 'train.validation').map((l) => events['train.validation'].parse(l.payload));
    expect(validations.map((v) => v.step)).toEqual([2, 4]);
    for (const v of validations) {
      expect(v.byLevel.map((l) => l.kernel)).toEqual([3, 11]);
      for (const l of v.byLevel) {
        // null: every image identical to the sharp one (at the 3×3 level the filter can undo the blur exactly), as the app reports it
        expect(l.networkPsnr === null || typeof l.networkPsnr === 'number').toBe(true);
        expect(l.wienerPsnr === null || typeof l.wienerPsnr === 'number').toBe(true);
        // the app's rule is by mean squared error: a filter exact on every image (null) is never beaten; a wide gap decides as the means do
        const [net, filter] = [l.networkPsnr ?? null, l.wienerPsnr ?? null];
        if (filter === null) expect(l.refined).toBe(false);
        else if (net !== null && Math.abs(net - filter) > 3) expect(l.refined).toBe(net > filter);
        expect(l.psnr).toBe(l.refined ? l.networkPsnr : l.wienerPsnr);
      }
    }
    const lastValidation = validations.at(-1)!;

    // train.py evaluate scores a kernel-aware checkpoint the same way (Wiener inputs, network against filter per level).
    const ev = spawnSync(PYTHON, [path.join(exported, 'train.py'), 'evaluate', '--data', data, '--checkpoint', path.join(out, 'last.pt'), '--split', 'val'], { encoding: 'utf8', env });
    expect(ev.status, ev.stderr).toBe(0);
    const evaluated = JSON.parse(ev.stdout.trim().split('\n').at(-1)!) as { psnr: number | null; byLevel: unknown[] };
    expect(evaluated.byLevel).toEqual(lastValidation.byLevel);
    expect(evaluated.psnr).toBe(lastValidation.psnr);

    const runsDir = path.join(dir, 'runs');
    const back = await runImportPytorch({ source: out, runsDir, run: 'back', dataset: data }, createTestContext());
    expect(back.step).toBe(4);
    const manifest = await readCompleteManifest(data);
    const meta = readModelMetadataOf(await readModelMetadata(path.join(back.runDir, 'checkpoints', 'last')));
    expect(meta.model).toBe('wiener-resunet');
    expect(meta.restoration).toEqual({
      kind: 'kernel-aware',
      step: 4,
      levels: lastValidation.byLevel.map((l) => ({ ksize: l.kernel, sigma: manifest.settings.sigmas[String(l.kernel)], refined: l.refined, networkPsnr: l.networkPsnr, wienerPsnr: l.wienerPsnr })),
    });
    if (back.checkpoints.includes('best')) {
      const best = readModelMetadataOf(await readModelMetadata(path.join(back.runDir, 'checkpoints', 'best')));
      const bestStep = best.training?.step;
      expect(best.restoration?.step).toBe(bestStep);
      expect(best.restoration?.levels.map((l) => l.refined)).toEqual(validations.find((v) => v.step === bestStep)!.byLevel.map((l) => l.refined));
    }

    // The app's own validation of the imported weights measures what train.py measured.
    const kernels = Object.fromEntries(manifest.settings.levels.map((k) => [String(k), wienerKernelOfLevel(k, manifest.settings.sigmas[String(k)]!)]));
    const sources = await loadValidationSet(data, manifest, getPresetInfo('wiener-resunet', 'small').inputConstraint, { kind: 'wiener', kernels });
    const loaded = await loadCheckpoint(back.runDir, 'last');
    try {
      const app = await validate(loaded.model, lossFunction('mse'), sources, createTestContext());
      expect(app.loss).toBeCloseTo(lastValidation.loss, 5);
      expect(Math.abs(app.psnr! - lastValidation.psnr!)).toBeLessThan(0.02);
      for (const [i, l] of app.byLevel.entries()) {
        const torch = lastValidation.byLevel[i]!;
        expect(l.kernel).toBe(torch.kernel);
        const close = (a: number | null | undefined, b: number | null | undefined, tol: number) => (a == null || b == null ? expect(a ?? null).toBe(b ?? null) : expect(Math.abs(a - b)).toBeLessThan(tol));
        close(l.networkPsnr, torch.networkPsnr, 0.02);
        close(l.wienerPsnr, torch.wienerPsnr, 0.02);
        close(l.identityPsnr, torch.identityPsnr, 1e-9);
        close(l.psnr, torch.psnr, 0.02);
        if (Math.abs((l.networkPsnr ?? 1e9) - (l.wienerPsnr ?? 1e9)) > 0.05) expect(l.refined).toBe(torch.refined);
      }
    } finally {
      loaded.model.dispose();
    }
  }, 420_000);
});
