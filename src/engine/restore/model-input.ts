import type { WienerKernel } from './wiener-kernel';

/**
 * What a model is fed: the blurred photo as is (the blind models), or its Wiener deconvolution with the
 * level's kernel (the kernel-aware models, which learn to refine it). The trainer's loader and validation
 * apply it with the level known; inference applies it with the level estimated (restore-photo.ts).
 */
export type ModelInput = { kind: 'blurred' } | { kind: 'wiener'; /** blur level (kernel size) → kernel */ kernels: Record<string, WienerKernel> };

export const BLURRED_INPUT: ModelInput = { kind: 'blurred' };
