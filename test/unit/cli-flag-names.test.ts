import { describe, expect, it } from 'vitest';
import { ContractError } from '../../src/shared/contract';
import { flagForField, withFlagNames } from '../../src/cli/flag-names';

describe('CLI flag names for contract fields', () => {
  it('maps job params to their options in kebab case, renamed ones and positionals by their help names', () => {
    expect(flagForField('prepare', 'params.params.fraction')).toBe('--fraction');
    expect(flagForField('train', 'params.params.stepsPerEpoch')).toBe('--steps-per-epoch');
    expect(flagForField('train', 'params.params.levelWeights.3')).toBe('--level-weights');
    expect(flagForField('prepare', 'params.params.levels.1')).toBe('--levels');
    expect(flagForField('prepare', 'params.params.width')).toBe('--size');
    expect(flagForField('prepare', 'params.params.source')).toBe('<sharp-folder>');
    expect(flagForField('deblur', 'params.params.outDir')).toBe('--out');
    expect(flagForField('resume', 'params.params.runDir')).toBe('--resume');
  });

  it('leaves fields outside a job\'s params alone', () => {
    expect(flagForField('train', 'params.type')).toBeNull();
    expect(flagForField('train', 'jobId')).toBeNull();
  });

  it('rewrites the field path at the start of the message and keeps code and field', () => {
    const err = withFlagNames('prepare', new ContractError('invalid_payload', 'params.params.fraction: Too big: expected number to be <=1', 'params.params.fraction'));
    expect(err).toBeInstanceOf(ContractError);
    expect((err as ContractError).message).toBe('--fraction: Too big: expected number to be <=1');
    expect(err).toMatchObject({ code: 'invalid_payload', field: 'params.params.fraction' });
  });

  it('returns other errors unchanged', () => {
    const plain = new Error('params.params.fraction: no field on a plain error');
    expect(withFlagNames('prepare', plain)).toBe(plain);
    const unrelated = new ContractError('not_found', 'jobId: no running job x', 'jobId');
    expect(withFlagNames('prepare', unrelated)).toBe(unrelated);
  });
});
