import { RESUNET_PRESETS, isResUNetPreset } from '../../models/resunet';
import { SEED_INPUT } from '../../models/seed-autoencoder';
import { z } from 'zod';

/** What model.py's build_model needs to build a zoo model as torch modules. */
export const architectureSchema = z.discriminatedUnion('model', [
  z.strictObject({
    model: z.literal('resunet'),
    preset: z.string(),
    widths: z.array(z.number().int().positive()),
    blocks: z.array(z.number().int().nonnegative()),
    bottleneckBlocks: z.number().int().nonnegative(),
    channels: z.number().int().positive(),
  }),
  z.strictObject({
    model: z.literal('seed-autoencoder'),
    preset: z.literal('default'),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    channels: z.number().int().positive(),
  }),
]);
export type Architecture = z.infer<typeof architectureSchema>;

export function architectureOf(model: string, preset: string, where: string): Architecture {
  if (model === 'resunet') {
    if (!isResUNetPreset(preset)) throw new Error(`${where}: resunet has no preset "${preset}" (available: ${Object.keys(RESUNET_PRESETS).join(', ')})`);
    const c = RESUNET_PRESETS[preset];
    return { model, preset, widths: [...c.widths], blocks: [...c.blocks], bottleneckBlocks: c.bottleneckBlocks, channels: 3 };
  }
  if (model === 'seed-autoencoder') return { model, preset: 'default', ...SEED_INPUT };
  throw new Error(`${where}: model "${model}" has no PyTorch export (available: resunet, seed-autoencoder)`);
}

/** Width and height of training crops and validation frames must be multiples of this (1: a fixed-size model). */
export function inputMultipleOf(a: Architecture): number {
  return a.model === 'resunet' ? 2 ** (a.widths.length - 1) : 1;
}
