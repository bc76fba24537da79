import { metadataModelName, type BlurEstimate, type ModelMetadata, type RestoreRoute } from '../../shared/contract';
import { zooRestoration } from '../models/registry';
import type { RawImage } from '../image/raw-image';
import { deblurTiled, type DeblurImageOptions, type TilePredictor, type TileShape } from '../infer/deblur-image';
import { wienerInput } from './wiener-input';
import { wienerKernelForEstimate, type WienerKernel } from './wiener-kernel';

/**
 * One photo through a model, blind or kernel-aware, the same way for deblur and evaluation:
 * - blind: the network, tile by tile, on the photo as it is;
 * - kernel-aware: the Wiener filter with the estimated kernel (wiener-kernel.ts), then the network on the
 *   filter's output where the model's gate says it improves on the filter at that blur; elsewhere the
 *   filter's output is the result (a nearly sharp photo gets an almost exact inverse, never a network's
 *   small errors). A photo whose blur cannot be estimated (smaller than the estimator's tile) is returned as it is,
 *   unless the user gave the blur (`kernel`).
 */
export interface RestoringModel {
  predict: TilePredictor;
  shape: TileShape;
  metadata: ModelMetadata;
}

export interface Restored {
  output: RawImage;
  route: RestoreRoute;
}

export interface RestoreOptions extends DeblurImageOptions {
  /** the photo came from a lossy format (isLossyFormat): the Wiener step regularises more (wiener-kernel.ts) */
  compressed?: boolean;
  /** the kernel to undo when the user knows the blur (wienerKernelForSigma): used instead of the estimate's */
  kernel?: WienerKernel;
}

export async function restorePhoto(model: RestoringModel, rgb: RawImage, blur: BlurEstimate | null, opts: RestoreOptions = {}): Promise<Restored> {
  const gate = restorationOf(model.metadata);
  if (gate.kind !== 'kernel-aware') return { output: await deblurTiled(model.predict, rgb, model.shape, opts), route: { kind: 'blind', kernel: null, refined: true } };
  const kernel = opts.kernel ?? (blur === null ? null : wienerKernelForEstimate(blur, { compressed: opts.compressed }));
  if (kernel === null) return { output: rgb, route: { kind: 'kernel-aware', kernel: null, refined: false } };
  const filtered = wienerInput(rgb, kernel);
  const refined = refinesAt(gate.levels, kernel);
  const output = refined ? await deblurTiled(model.predict, filtered, model.shape, opts) : filtered;
  return { output, route: { kind: 'kernel-aware', kernel: { ksize: kernel.ksize, sigma: kernel.sigma }, refined } };
}

type Gate = NonNullable<ModelMetadata['restoration']>;
type GateLevel = Gate['levels'][number];

/**
 * The model's gate as stored; a kernel-aware zoo model without one (made elsewhere, e.g. imported from
 * PyTorch) is still fed Wiener outputs, but its network is used nowhere until a validation says where it helps.
 */
export function restorationOf(metadata: ModelMetadata): Gate {
  if (metadata.restoration) return metadata.restoration;
  const name = metadataModelName(metadata);
  return { kind: (name === undefined ? null : zooRestoration(name)) ?? 'blind', levels: [], step: null };
}

/**
 * Whether the network refines at this kernel: a validated level's own answer; for a σ between or beyond them,
 * the answer of the level nearest in log σ (a blur the model never saw is treated like its nearest one).
 * No validated level: never.
 */
export function refinesAt(levels: readonly GateLevel[], kernel: Pick<WienerKernel, 'ksize' | 'sigma'>): boolean {
  const same = levels.find((l) => l.ksize === kernel.ksize && l.sigma === kernel.sigma);
  if (same) return same.refined;
  let nearest: GateLevel | null = null;
  for (const l of levels) {
    if (!nearest || Math.abs(Math.log(l.sigma / kernel.sigma)) < Math.abs(Math.log(nearest.sigma / kernel.sigma))) nearest = l;
  }
  return nearest?.refined ?? false;
}
