import type { ModelMetadataInput } from '../../../shared/contract';
import type { TrainingCallback, ValidationEnd } from './callback';

type Restoration = NonNullable<ModelMetadataInput['restoration']>;

/**
 * A kernel-aware model's gate: after each validation, which blur levels the network refines (its output beat
 * the Wiener filter's there) and which keep the filter's output, written into the metadata the next checkpoint
 * saves, so a model never makes its own input worse at a level it was validated on.
 */
export class RestorationGateCallback implements TrainingCallback {
  constructor(
    private readonly metadata: ModelMetadataInput & { restoration: Restoration },
    /** kernel size → σ of the data set's levels */
    private readonly sigmas: Readonly<Record<string, number>>,
  ) {}

  onValidation(v: ValidationEnd): void {
    if (!v.result) return;
    const levels = v.result.byLevel.flatMap((l) => {
      const sigma = this.sigmas[String(l.kernel)];
      if (sigma === undefined) return [];
      return [{ ksize: l.kernel, sigma, refined: l.refined ?? false, networkPsnr: l.networkPsnr ?? null, wienerPsnr: l.wienerPsnr ?? null }];
    });
    this.metadata.restoration = { kind: 'kernel-aware', levels, step: v.step };
  }
}
