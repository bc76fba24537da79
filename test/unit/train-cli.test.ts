import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { trainParams } from '../../src/shared/contract';
import { registerTrainCommand, trainCommand, trainParamsFrom } from '../../src/cli/commands/train';

describe('deblur-studio train (argument handling)', () => {
  it('maps options to contract parameters, resolving paths and "full" patches', () => {
    const p = trainParamsFrom('prepared', { run: 'r1', runsDir: 'runs', model: 'resunet', preset: 'base', epochs: '3', batch: '8', patch: 'full', lr: '2e-4', loss: 'l1', schedule: 'plateau', stepsPerEpoch: '50', validateEvery: '25', seed: '7' });
    expect(p).toEqual({
      dataset: path.resolve('prepared'),
      runsDir: path.resolve('runs'),
      run: 'r1',
      model: 'resunet',
      preset: 'base',
      epochs: 3,
      batch: 8,
      patch: null,
      lr: 2e-4,
      loss: 'l1',
      schedule: 'plateau',
      stepsPerEpoch: 50,
      validateEvery: 25,
      seed: 7,
    });
    expect(trainParams.parse(p)).toMatchObject({ patch: null, loss: 'l1' });
  });

  it('parses --level-weights into the contract kernel → weight record, and says what is wrong', () => {
    const p = trainParamsFrom('/data/set', { run: 'r', runsDir: '/runs', levelWeights: '3:10, 11:2' });
    expect(trainParams.parse(p).levelWeights).toEqual({ '3': 10, '11': 2 });
    expect(() => trainParamsFrom('/data/set', { run: 'r', runsDir: '/runs', levelWeights: '3=10' })).toThrow(/level weights: "3=10" is not kernel:weight/);
    expect(() => trainParams.parse(trainParamsFrom('/data/set', { run: 'r', runsDir: '/runs', levelWeights: '3:-1' }))).toThrow(/levelWeights/);
  });

  it('passes --init as the engine wants it: "default" as is, a folder as an absolute path', () => {
    expect(trainParamsFrom('/data/set', { run: 'r', runsDir: '/runs', init: 'default' }).init).toBe('default');
    expect(trainParamsFrom('/data/set', { run: 'r', runsDir: '/runs', init: 'runs/first' }).init).toBe(path.resolve('runs/first'));
  });

  it('leaves unset options to the contract defaults', () => {
    const parsed = trainParams.parse(trainParamsFrom('/data/set', { run: 'r', runsDir: '/runs', patch: '64' }));
    expect(parsed).toMatchObject({ model: 'resunet', preset: 'small', epochs: 10, batch: 4, patch: 64, loss: 'mse', schedule: 'cosine', init: null });
  });

  it('is registered with its options, and refuses incomplete or mixed invocations before starting anything', async () => {
    const program = new Command();
    registerTrainCommand(program);
    const train = program.commands.find((c) => c.name() === 'train')!;
    expect(train.options.map((o) => o.long)).toEqual(
      expect.arrayContaining(['--run', '--runs-dir', '--model', '--preset', '--epochs', '--batch', '--patch', '--lr', '--loss', '--schedule', '--level-weights', '--init', '--resume']),
    );
    await expect(trainCommand('/data/set', { runsDir: 'runs' })).rejects.toThrow(/holds no prepared data set/); // the data set is checked before the run name is asked for
    await expect(trainCommand(undefined, { runsDir: 'runs', run: 'r' })).rejects.toThrow(/name the prepared data set folder/);
    await expect(trainCommand('/data/set', { runsDir: 'runs', resume: '/runs/r' })).rejects.toThrow(/--resume takes only the run folder/);
  });
});
