import { previewImages } from '../preview';
import type { TrainingCallback, ValidationEnd } from './callback';
import type { EmitTrainingEvent } from './history';

/**
 * Previews of a training session: after each validation, the validation's example (first image,
 * strongest blur) as small PNGs of blurred input, model output and sharp original (train.preview).
 */
export class PreviewsCallback implements TrainingCallback {
  constructor(
    private readonly o: { jobId: string; run: string; emit: EmitTrainingEvent; images?: typeof previewImages },
  ) {}

  async onValidation(v: ValidationEnd): Promise<void> {
    const example = v.result?.example;
    if (!example) return;
    const images = await (this.o.images ?? previewImages)(example);
    this.o.emit('train.preview', { jobId: this.o.jobId, run: this.o.run, step: v.step, ...images });
  }
}
