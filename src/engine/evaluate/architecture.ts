import { metadataModelName, type ModelMetadata } from '../../shared/contract';
import { getModelInfo } from '../models/registry';

/**
 * A sentence on what a loaded model is, for the report's model card: the zoo's description of the
 * architecture and preset when the model can be traced to the zoo — by its training run's config
 * (model, preset), its metadata, or its name (`resunet-small`) — else null.
 */
export function describeArchitecture(modelName: string, metadata: ModelMetadata, trainingConfig: Record<string, unknown> | null): string | null {
  const params = (trainingConfig?.params ?? null) as { model?: unknown; preset?: unknown } | null;
  const candidates: Array<[unknown, unknown]> = [
    [params?.model, params?.preset],
    [metadataModelName(metadata), metadata.preset],
    ...splitName(modelName),
  ];
  for (const [model, preset] of candidates) {
    if (typeof model !== 'string') continue;
    try {
      const info = getModelInfo(model);
      // A preset is named only when the clue names one the zoo has; otherwise only the architecture is known.
      const presetInfo = typeof preset === 'string' ? info.presets.find((p) => p.name === preset) : undefined;
      return presetInfo ? `${info.name}, preset ${presetInfo.name}: ${info.description} Preset: ${presetInfo.description}` : `${info.name}: ${info.description}`;
    } catch {
      // not a zoo model under this name; try the next clue
    }
  }
  return null;
}

/** `resunet-small` → [resunet, small]; `seed-autoencoder` → [seed-autoencoder, undefined] and the split. */
function splitName(name: string): Array<[string, string | undefined]> {
  const out: Array<[string, string | undefined]> = [[name, undefined]];
  const dash = name.lastIndexOf('-');
  if (dash > 0) out.push([name.slice(0, dash), name.slice(dash + 1)]);
  return out;
}
