import { z } from 'zod';
import { restorationKind } from './primitives';

/**
 * What the app stores in a model's model.json (`userDefinedMetadata`) and reads back: the zoo architecture
 * and preset it was built from, the input sizes it takes, the run and checkpoint it came from, and (for the
 * built-in model) a one-line summary. Models made elsewhere may carry other keys or none: reading keeps
 * unknown keys as they are and reads a known key of the wrong type as absent, never as an error.
 */
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

export const modelInputConstraint = z.strictObject({
  /** the only input size the model takes (the seed autoencoder) */
  fixed: z.strictObject({ width: z.number().int().min(1), height: z.number().int().min(1) }).optional(),
  /** the size step of a fully convolutional model */
  multipleOf: z.number().int().min(1).optional(),
});

export const modelMetadata = z.looseObject({
  /** zoo architecture name (older files call it `architecture`) */
  model: lenient(z.string()),
  architecture: lenient(z.string()),
  preset: lenient(z.string()),
  inputConstraint: lenient(modelInputConstraint),
  /** the training run it was saved by */
  run: lenient(z.string()),
  /** the checkpoint it is: the step it was saved at and which of the run's checkpoints */
  training: lenient(z.looseObject({ step: lenient(z.number().int()), checkpoint: lenient(z.enum(['best', 'last'])) })),
  /** one line on what it was trained on and how well it does (the built-in model) */
  summary: lenient(z.string()),
  /**
   * How the model restores (absent: blind). A kernel-aware model refines a Wiener deconvolution; `levels` says,
   * per validated blur level, whether its output beat the filter's there (refined) or the filter's is kept.
   */
  restoration: lenient(
    z.looseObject({
      kind: restorationKind,
      levels: z.array(
        z.strictObject({
          ksize: z.number().int(),
          sigma: z.number().positive(),
          refined: z.boolean(),
          networkPsnr: z.number().nullable(),
          wienerPsnr: z.number().nullable(),
        }),
      ),
      /** the validation step that measured `levels` (null: not validated yet, so nothing is refined) */
      step: z.number().int().nullable(),
    }),
  ),
});

/** Metadata as read back (unknown keys kept, known ones typed). */
export type ModelMetadata = z.output<typeof modelMetadata>;
/** Metadata as the app writes it. */
export type ModelMetadataInput = z.input<typeof modelMetadata>;

/** Reads a model.json's userDefinedMetadata ({} when there is none or it is not an object). */
export function readModelMetadataOf(raw: unknown): ModelMetadata {
  return modelMetadata.catch({}).parse(raw ?? {});
}

/** The zoo model a metadata names, under its current or older key. */
export const metadataModelName = (m: ModelMetadata): string | undefined => m.model ?? m.architecture;
