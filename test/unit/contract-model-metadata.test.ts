import { describe, expect, expectTypeOf, it } from 'vitest';
import { describeArchitecture } from '../../src/engine/evaluate/architecture';
import { describeBuiltinModel } from '../../src/engine/infer/builtin-model';
import type { InferenceModel } from '../../src/engine/infer/load-model';
import { metadataModelName, readModelMetadataOf, type ModelMetadata } from '../../src/shared/contract';

describe('contract: model metadata', () => {
  it('types what the app reads from model.json', () => {
    expectTypeOf<InferenceModel['metadata']>().toEqualTypeOf<ModelMetadata>();
    expectTypeOf<ModelMetadata['preset']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<NonNullable<ModelMetadata['inputConstraint']>['multipleOf']>().toEqualTypeOf<number | undefined>();
  });

  it('keeps unknown keys and reads a known key of the wrong type as absent', () => {
    const m = readModelMetadataOf({ model: 'resunet', preset: 3, inputConstraint: { multipleOf: 0 }, training: { step: 5, epochs: 3 }, own: [1] });
    expect(m.model).toBe('resunet');
    expect(m.preset).toBeUndefined();
    expect(m.inputConstraint).toBeUndefined();
    expect(m.training).toEqual({ step: 5, epochs: 3 });
    expect(m.own).toEqual([1]);
    expect(readModelMetadataOf(undefined)).toEqual({});
    expect(readModelMetadataOf('not an object')).toEqual({});
  });

  it('names the zoo model under its current or older key', () => {
    expect(metadataModelName(readModelMetadataOf({ architecture: 'resunet' }))).toBe('resunet');
    expect(metadataModelName(readModelMetadataOf({ model: 'seed-autoencoder', architecture: 'resunet' }))).toBe('seed-autoencoder');
    // a wrong-typed `model` no longer hides a valid `architecture`
    expect(describeArchitecture('x', readModelMetadataOf({ model: 42, architecture: 'resunet', preset: 'small' }), null)).toMatch(/^resunet, preset small:/);
  });

  it('the built-in model is described from its metadata', async () => {
    const info = await describeBuiltinModel();
    expect(info).toMatchObject({ installed: true, model: 'wiener-resunet', preset: 'small', problem: null });
    expect(info.summary).toMatch(/PSNR/);
  });
});
