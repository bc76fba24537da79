/**
 * The one TF.js instance of the engine: every engine module imports tf from here, never from
 * '@tensorflow/tfjs-core' directly, so that backends, kernels and tensors all live in the single
 * top-level tfjs-core (4.22.0) that selectRuntime registers backends into.
 *
 * Both styles work: `import * as tf from './tf'` and `import { tf } from './tf'`.
 */
import * as core from '@tensorflow/tfjs-core';
import * as layers from '@tensorflow/tfjs-layers';
import { installChainedOps } from './chained-ops';

installChainedOps();

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';

/** Namespace object: tfjs-core and tfjs-layers together, like the full @tensorflow/tfjs package. */
export const tf = { ...core, ...layers } as typeof core & typeof layers;
