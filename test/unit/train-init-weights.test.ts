import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../../src/engine/models/io';
import { buildResUNet } from '../../src/engine/models/resunet';
import { selectRuntime } from '../../src/engine/runtime/select';
import { loadInitialWeights } from '../../src/engine/train/init-weights';
import { perturbedResUNet, TINY_RESUNET } from '../integration/infer-support';

beforeAll(async () => {
  await selectRuntime();
});

describe('fine-tuning: initial weights from a saved model', () => {
  it('copies every weight of a saved model of the same architecture into a fresh one', async () => {
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'deblur-init-')), 'model');
    const trained = perturbedResUNet();
    await saveModel(trained, dir);
    const fresh = buildResUNet(TINY_RESUNET, 'fresh');
    expect(await loadInitialWeights(dir, fresh, 'resunet')).toBe(dir);
    const a = trained.getWeights().map((w) => Array.from(w.dataSync()));
    const b = fresh.getWeights().map((w) => Array.from(w.dataSync()));
    expect(b).toEqual(a);
    trained.dispose();
    fresh.dispose();
  });

  it('refuses a saved model of another preset, saying why, and leaves the fresh model as it was', async () => {
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'deblur-init-')), 'model');
    const other = buildResUNet({ ...TINY_RESUNET, widths: [8, 12, 24] }, 'wider');
    await saveModel(other, dir);
    const fresh = buildResUNet(TINY_RESUNET, 'fresh');
    const before = fresh.getWeights().map((w) => Array.from(w.dataSync()));
    await expect(loadInitialWeights(dir, fresh, 'resunet')).rejects.toThrow(/its weights do not fit fresh \(weight \d+ is .+, not .+\); choose the model and preset it was trained with/);
    expect(fresh.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    other.dispose();
    fresh.dispose();
  });

  it('refuses to start a blind model from a kernel-aware one (and back): same network, other input', async () => {
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'deblur-init-')), 'model');
    const trained = perturbedResUNet();
    await saveModel(trained, dir, { metadata: { model: 'wiener-resunet', preset: 'small' } });
    const fresh = buildResUNet(TINY_RESUNET, 'fresh');
    await expect(loadInitialWeights(dir, fresh, 'resunet')).rejects.toThrow(/cannot start resunet from .*: that is a kernel-aware model \(wiener-resunet\)/);
    expect(await loadInitialWeights(dir, fresh, 'wiener-resunet')).toBe(dir);
    trained.dispose();
    fresh.dispose();
  });

  it('says clearly when the model to start from does not exist', async () => {
    const fresh = buildResUNet(TINY_RESUNET, 'fresh');
    await expect(loadInitialWeights('/nonexistent/run', fresh, 'resunet')).rejects.toThrow(/model folder \/nonexistent\/run does not exist/);
    fresh.dispose();
  });
});
