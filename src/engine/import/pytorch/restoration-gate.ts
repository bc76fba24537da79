import { events, type ModelMetadataInput } from '../../../shared/contract';
import { parseJsonLines } from '../../fs/jsonl';
import { RestorationGateCallback } from '../../train/callbacks/restoration-gate';

type Restoration = NonNullable<ModelMetadataInput['restoration']>;

/**
 * A kernel-aware model's gate from a checkpoint's history: the last `train.validation` line (highest step; the
 * later line of equal steps), turned into the metadata's `restoration` exactly as the app's own training does
 * (RestorationGateCallback: per level its σ, refined, networkPsnr, wienerPsnr). Undefined when the history holds
 * no validation: the model then has no gate, and the app uses the Wiener filter alone.
 */
export function gateFromHistory(history: string, sigmas: Readonly<Record<string, number>>): Restoration | undefined {
  let last: (typeof events)['train.validation']['_output'] | null = null;
  for (const value of parseJsonLines(history, { unterminated: 'parse' })) {
    const e = value as { event?: unknown; payload?: unknown } | null;
    if (e?.event !== 'train.validation') continue;
    const parsed = events['train.validation'].safeParse(e.payload);
    if (parsed.success && (last === null || parsed.data.step >= last.step)) last = parsed.data;
  }
  if (last === null) return undefined;
  const metadata: ModelMetadataInput & { restoration: Restoration } = { restoration: { kind: 'kernel-aware', levels: [], step: null } };
  const { loss, psnr, ssim, identityPsnr, byLevel, step } = last;
  new RestorationGateCallback(metadata, sigmas).onValidation({ step, result: { loss, psnr, ssim, identityPsnr, byLevel, example: null }, improved: false, seconds: 0 });
  return metadata.restoration;
}
