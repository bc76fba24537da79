import { describe, expect, it } from 'vitest';
import { defaultLearningRate, FINE_TUNE_LR, lossName, scheduleName, trainParams } from '../../src/shared/contract';
import { defaultForm, formFromParams, learningRateFor, LOSS_OPTIONS, paramsFromForm, SCHEDULE_OPTIONS, TRAIN_DEFAULTS } from '../../src/renderer/src/lib/train-form';
import { gainSummary, validationLevels } from '../../src/cli/commands/gain-summary';
import { formatEvalSummary } from '../../src/cli/commands/eval';
import { minimalEval } from '../integration/eval-support';

const paths = { dataset: '/data/set', runsDir: '/data/runs', run: 'r1' };

describe('Train form: built from the contract', () => {
  it('starts on the contract defaults and asks for exactly them when untouched', () => {
    const asked = trainParams.parse(paramsFromForm(defaultForm(paths)));
    expect(asked).toEqual(trainParams.parse(paths));
    expect(TRAIN_DEFAULTS.lr).toBe(defaultLearningRate(null));
  });

  it('offers every loss and schedule of the contract, and only those', () => {
    expect(LOSS_OPTIONS.map((o) => o.value)).toEqual(lossName.options);
    expect(SCHEDULE_OPTIONS.map((o) => o.value)).toEqual(scheduleName.options);
  });

  it('shows a run’s params and asks for them back (whole frames, level weights, empty optional numbers)', () => {
    const p = trainParams.parse({ ...paths, patch: null, levelWeights: { '3': 10 }, stepsPerEpoch: 50, init: 'default', lr: 2e-4 });
    const form = { ...defaultForm(paths), ...formFromParams(p) };
    expect(form.fullFrame).toBe(true);
    expect(form.levelWeights).toBe('3:10');
    expect(trainParams.parse(paramsFromForm(form))).toEqual(p);
    expect(paramsFromForm({ ...form, validateEvery: 0 }).validateEvery).toBeNull();
  });

  it('a fine-tune starts at the fine-tuning rate; a rate the user typed stays', () => {
    expect(learningRateFor('default', null, defaultLearningRate(null))).toBe(FINE_TUNE_LR);
    expect(learningRateFor(null, 'default', FINE_TUNE_LR)).toBe(defaultLearningRate(null));
    expect(learningRateFor('default', null, 5e-4)).toBe(5e-4);
    expect(FINE_TUNE_LR).toBeLessThan(defaultLearningRate(null));
  });
});

describe('CLI summary: the gain over the blurred input per level', () => {
  const lv = (kernel: number, psnr: number, identityPsnr: number) => ({ kernel, psnr, ssim: null, identityPsnr, identitySsim: null });

  it('train: headlines each level of the best validation and warns about a losing one', () => {
    const v = { jobId: 'j', run: 'r', step: 30, loss: 0.1, psnr: 36.1, ssim: null, identityPsnr: 40.9, byLevel: [lv(7, 32.56, 29.62), lv(3, 46.63, 66.01)] };
    expect(gainSummary(validationLevels(v), 'best validation, step 30')).toEqual([
      'gain over the blurred input (best validation, step 30): k3 −19.38 dB, k7 +2.94 dB',
      'warning: worse than the blurred input at k3: the model makes these photos less sharp than they already were',
    ]);
    expect(gainSummary(validationLevels({ ...v, byLevel: [lv(7, 32, 29)] }), 'x')).toHaveLength(1);
  });

  it('eval: the summary table ends with the same headline', () => {
    const row = (name: string, level: string, model: number, identity: number) => ({
      name, level, kernel: null, sigma: null, width: 16, height: 16, blurred: '/b', sharp: '/s',
      model: { psnr: model, ssim: null }, identity: { psnr: identity, ssim: null }, wiener: null, ms: 1, blur: null,
    });
    const text = formatEvalSummary(minimalEval([row('a', 'blur_k3', 40, 50), row('b', 'blur_k11', 30, 28)]));
    expect(text).toContain('gain over the blurred input (test set): blur_k3 −10.00 dB, blur_k11 +2.00 dB');
    expect(text).toContain('warning: worse than the blurred input at blur_k3');
  });
});
