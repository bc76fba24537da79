/**
 * Makes tfjs-backend-wasm able to train: registers the gradient kernels it lacks and replaces the
 * ones that are slow or wrong, all built from its fast XNNPACK kernels (see each module).
 */
import { getKernel, registerKernel, unregisterKernel } from '../tf';
import type { KernelConfig } from '../tf';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input';
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from './depthwise-backprop';
import { maxPoolGradKernel } from './max-pool-grad';
import { identityKernel, sumKernel } from './shared-buffer-kernels';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum';

const BACKEND = 'wasm';

/** Kernels tfjs-backend-wasm 4.22 does not have. */
export const ADDED_KERNELS = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
] as const;

/**
 * Kernels tfjs-backend-wasm has but that are replaced: Conv2DBackpropInput is plain loops (~10×
 * slower than Conv2D); MaxPoolGrad drops the gradient of windows whose values are all negative;
 * Identity copies and Sum over leading axes transposes first (see shared-buffer-kernels).
 */
export const REPLACED_KERNELS = ['Conv2DBackpropInput', 'MaxPoolGrad', 'Identity', 'Sum'] as const;

type KernelName = (typeof ADDED_KERNELS)[number] | (typeof REPLACED_KERNELS)[number];

const FACTORIES: Record<KernelName, () => KernelConfig> = {
  Conv2DBackpropFilter: () => conv2dBackpropFilterKernel(BACKEND),
  DepthwiseConv2dNativeBackpropFilter: () => depthwiseBackpropFilterKernel(BACKEND),
  DepthwiseConv2dNativeBackpropInput: () => depthwiseBackpropInputKernel(BACKEND),
  UnsortedSegmentSum: () => unsortedSegmentSumKernel(BACKEND),
  Conv2DBackpropInput: () => conv2dBackpropInputKernel(BACKEND),
  MaxPoolGrad: () => maxPoolGradKernel(BACKEND),
  Identity: () => identityKernel(BACKEND),
  // Keeps tfjs's own Sum for the reductions it does not speed up, so it is made before replacing it.
  Sum: () => sumKernel(BACKEND),
};

const ours = new WeakSet<object>();

/** Idempotent: kernels already registered by an earlier call are left in place. */
export function registerWasmTrainingKernels(): void {
  if (getKernel('Conv2D', BACKEND) == null) {
    throw new Error("registerWasmTrainingKernels: import '@tensorflow/tfjs-backend-wasm' first (its kernels are not registered)");
  }
  for (const [name, make] of Object.entries(FACTORIES)) {
    const existing = getKernel(name, BACKEND);
    if (existing != null && ours.has(existing.kernelFunc)) continue;
    const config = make();
    if (existing != null) unregisterKernel(name, BACKEND);
    registerKernel(config);
    ours.add(config.kernelFunc);
  }
}
