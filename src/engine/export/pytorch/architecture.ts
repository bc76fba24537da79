import { RESUNET_PRESETS, isResUNetPreset } from '../../models/resunet';
import { SEED_INPUT } from '../../models/seed-autoencoder';
import { DEFAULT_WIENER_BLOCK, DEFAULT_WIENER_MARGIN } from '../../evaluate/wiener';
import { WIENER_K } from '../../evaluate/wiener-constants';
import { BLUR_LEVELS } from '../../../shared/contract/primitives';
import { z } from 'zod';

const resunetFields = {
  preset: z.string(),
  widths: z.array(z.number().int().positive()),
  blocks: z.array(z.number().int().nonnegative()),
  bottleneckBlocks: z.number().int().nonnegative(),
  channels: z.number().int().positive(),
};

/**
 * What train.py needs to make a kernel-aware model's inputs as the app does (src/engine/evaluate/wiener.ts,
 * src/engine/restore/wiener-kernel.ts): the overlap–save block and margin, and the course levels' tuned K
 * (kernel size, σ, K, sorted by σ) — the K of a course level at its own σ, and the points K is interpolated
 * between (log-linear in K, linear in σ) for any other σ.
 */
export const wienerSettingsSchema = z.strictObject({
  block: z.number().int().positive(),
  margin: z.number().int().nonnegative(),
  levels: z.array(z.strictObject({ ksize: z.number().int().positive(), sigma: z.number().positive(), k: z.number().positive() })),
});
export type WienerSettings = z.infer<typeof wienerSettingsSchema>;

/** What model.py's build_model needs to build a zoo model as torch modules. */
export const architectureSchema = z.discriminatedUnion('model', [
  z.strictObject({ model: z.literal('resunet'), ...resunetFields }),
  /** the resunet network, fed each photo's Wiener deconvolution (train.py makes those inputs with `wiener`) */
  z.strictObject({ model: z.literal('wiener-resunet'), ...resunetFields, wiener: wienerSettingsSchema }),
  z.strictObject({
    model: z.literal('seed-autoencoder'),
    preset: z.literal('default'),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    channels: z.number().int().positive(),
  }),
]);
export type Architecture = z.infer<typeof architectureSchema>;

/** The app's Wiener settings, from its own constants (one source: WIENER_K and the course's BLUR_LEVELS). */
export function wienerSettings(): WienerSettings {
  const levels = Object.entries(WIENER_K)
    .map(([ksize, k]) => ({ ksize: Number(ksize), sigma: BLUR_LEVELS[Number(ksize) as keyof typeof BLUR_LEVELS], k }))
    .sort((a, b) => a.sigma - b.sigma);
  return { block: DEFAULT_WIENER_BLOCK, margin: DEFAULT_WIENER_MARGIN, levels };
}

export function architectureOf(model: string, preset: string, where: string): Architecture {
  if (model === 'resunet' || model === 'wiener-resunet') {
    if (!isResUNetPreset(preset)) throw new Error(`${where}: ${model} has no preset "${preset}" (available: ${Object.keys(RESUNET_PRESETS).join(', ')})`);
    const c = RESUNET_PRESETS[preset];
    const net = { preset, widths: [...c.widths], blocks: [...c.blocks], bottleneckBlocks: c.bottleneckBlocks, channels: 3 };
    return model === 'resunet' ? { model, ...net } : { model, ...net, wiener: wienerSettings() };
  }
  if (model === 'seed-autoencoder') return { model, preset: 'default', ...SEED_INPUT };
  throw new Error(`${where}: model "${model}" has no PyTorch export (available: resunet, wiener-resunet, seed-autoencoder)`);
}

/** Width and height of training crops and validation frames must be multiples of this (1: a fixed-size model). */
export function inputMultipleOf(a: Architecture): number {
  return a.model === 'seed-autoencoder' ? 1 : 2 ** (a.widths.length - 1);
}

/** Whether the model is fed Wiener deconvolutions (train.py makes them) rather than the blurred photos. */
export const isKernelAware = (a: Architecture): boolean => a.model === 'wiener-resunet';
