import type { RestorationKind } from '../../shared/contract';
import * as tf from './tf';
import { ModelTooLargeError, UnknownModelError } from './errors';
import type { InputConstraint } from './input-constraint';
import {
  buildResUNet,
  isResUNetPreset,
  RESUNET_DEFAULT_PRESET,
  RESUNET_DESCRIPTION,
  RESUNET_PRESET_DESCRIPTIONS,
  RESUNET_PRESETS,
  resunetParamCount,
  resunetStrideMultiple,
} from './resunet';
import {
  buildSeedAutoencoder,
  SEED_DESCRIPTION,
  SEED_INPUT_CONSTRAINT,
  seedAutoencoderParamCount,
} from './seed-autoencoder';

/** The most parameters a model may have to be trained here (memory and time on a desktop). */
export const MAX_PARAMS = 15_000_000;

export interface PresetInfo {
  name: string;
  params: number;
  description: string;
  inputConstraint: InputConstraint;
}

/** blind or kernel-aware (the contract's restorationKind; restore/restore-photo.ts runs either). */
export type Restoration = RestorationKind;

export interface ModelInfo {
  name: string;
  description: string;
  restoration: Restoration;
  defaultPreset: string;
  presets: PresetInfo[];
  /** The default preset's constraint (every preset of the zoo's models shares it). */
  inputConstraint: InputConstraint;
}

interface ZooEntry {
  info: ModelInfo;
  build(preset: string): tf.LayersModel;
}

/** The residual U-Net, fed the blurred photo (resunet) or its Wiener deconvolution (wiener-resunet): same network. */
function resunetEntry(name: string, restoration: Restoration, description: string): ZooEntry {
  const presets = Object.entries(RESUNET_PRESETS).map(([preset, config]) => ({
    name: preset,
    params: resunetParamCount(config),
    description: RESUNET_PRESET_DESCRIPTIONS[preset as keyof typeof RESUNET_PRESETS],
    inputConstraint: { multipleOf: resunetStrideMultiple(config) },
  }));
  return {
    info: {
      name,
      description,
      restoration,
      defaultPreset: RESUNET_DEFAULT_PRESET,
      presets,
      inputConstraint: presets.find((p) => p.name === RESUNET_DEFAULT_PRESET)!.inputConstraint,
    },
    build: (preset) => {
      if (!isResUNetPreset(preset)) throw unknownPreset(name, preset, Object.keys(RESUNET_PRESETS));
      return buildResUNet(RESUNET_PRESETS[preset], `${name}-${preset}`);
    },
  };
}

const WIENER_RESUNET_DESCRIPTION =
  'Kernel-aware: the app estimates each photo\'s Gaussian blur, undoes it with a Wiener filter, and this residual ' +
  'U-Net (the resunet architecture) learns to remove what the filter leaves (ringing, lost detail). It starts as ' +
  'the Wiener filter itself, and after training it is used only at the blur levels where validation showed it ' +
  'improves on the filter; elsewhere the filter\'s output is kept. Trained on Wiener outputs made with each ' +
  'level\'s true kernel.';

function seedEntry(): ZooEntry {
  return {
    info: {
      name: 'seed-autoencoder',
      description: SEED_DESCRIPTION,
      restoration: 'blind',
      defaultPreset: 'default',
      presets: [
        {
          name: 'default',
          params: seedAutoencoderParamCount(),
          description: 'The only configuration.',
          inputConstraint: SEED_INPUT_CONSTRAINT,
        },
      ],
      inputConstraint: SEED_INPUT_CONSTRAINT,
    },
    build: (preset) => {
      if (preset !== 'default') throw unknownPreset('seed-autoencoder', preset, ['default']);
      return buildSeedAutoencoder();
    },
  };
}

// Parameter counts are computed analytically, so listing the zoo builds nothing.
const ZOO: ReadonlyMap<string, ZooEntry> = new Map(
  [resunetEntry('resunet', 'blind', RESUNET_DESCRIPTION), resunetEntry('wiener-resunet', 'kernel-aware', WIENER_RESUNET_DESCRIPTION), seedEntry()].map((entry) => [entry.info.name, entry]),
);

export const DEFAULT_MODEL = 'resunet';

export function listModels(): ModelInfo[] {
  return [...ZOO.values()].map((e) => structuredClone(e.info));
}

/** How a zoo model restores, by name; null for a name the zoo does not have (a model made elsewhere). No copy is made. */
export function zooRestoration(name: string): Restoration | null {
  return ZOO.get(name)?.info.restoration ?? null;
}

export function getModelInfo(name: string): ModelInfo {
  return structuredClone(entry(name).info);
}

/** The preset's info; `preset` defaults to the model's default preset. */
export function getPresetInfo(name: string, preset?: string): PresetInfo {
  const info = entry(name).info;
  const wanted = preset ?? info.defaultPreset;
  const found = info.presets.find((p) => p.name === wanted);
  if (!found) throw unknownPreset(name, wanted, info.presets.map((p) => p.name));
  return structuredClone(found);
}

/** A freshly initialised model; its name is `<model>-<preset>` for resunet, `seed-autoencoder` otherwise. */
export function buildModel(name: string, preset?: string): tf.LayersModel {
  const e = entry(name);
  return e.build(preset ?? e.info.defaultPreset);
}

/** Throws ModelTooLargeError when the model has more than MAX_PARAMS parameters. */
export function assertTrainable(model: tf.LayersModel, limit = MAX_PARAMS): void {
  const params = model.countParams();
  if (params > limit) throw new ModelTooLargeError(params, limit, model.name);
}

function entry(name: string): ZooEntry {
  const e = ZOO.get(name);
  if (!e) throw new UnknownModelError(`unknown model "${name}"; available: ${[...ZOO.keys()].join(', ')}`);
  return e;
}

function unknownPreset(model: string, preset: string, available: string[]): UnknownModelError {
  return new UnknownModelError(`model "${model}" has no preset "${preset}"; available: ${available.join(', ')}`);
}
