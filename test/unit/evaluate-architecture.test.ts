import { describe, expect, it } from 'vitest';
import { describeArchitecture } from '../../src/engine/evaluate/architecture';

describe('describeArchitecture', () => {
  it('traces a model to the zoo by run config, metadata or name', () => {
    expect(describeArchitecture('x', {}, { params: { model: 'resunet', preset: 'base' } })).toMatch(/^resunet, preset base: Residual U-Net/);
    expect(describeArchitecture('x', { model: 'seed-autoencoder', preset: 'default' }, null)).toMatch(/^seed-autoencoder, preset default: The original seed autoencoder/);
    // an unknown preset is not passed off as the default one
    expect(describeArchitecture('tiny-resunet', { architecture: 'resunet', preset: 'tiny' }, null)).toMatch(/^resunet: Residual U-Net/);
    expect(describeArchitecture('resunet-large', {}, null)).toMatch(/^resunet, preset large:/);
  });

  it('says nothing about a model it does not know', () => {
    expect(describeArchitecture('my-own-net', { architecture: 'unet++' }, null)).toBeNull();
  });
});
