import { z } from 'zod';

/**
 * Building blocks for payload schemas. Paths are checked syntactically here (the renderer can run this too);
 * existence and "inside the chosen output folder" are checked by the engine (src/engine/fs/paths.ts),
 * which has the filesystem.
 */
export const MAX_PATH_LENGTH = 4096;
export const MAX_TEXT_LENGTH = 10_000;

const isAbsolute = (p: string): boolean => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');

/**
 * Marks every schema that names a file or folder on the host, so a host that confines paths (the browser host,
 * src/host/path-policy.ts) finds each one in any method's params by walking the schema: a field built from
 * `absPath` or `modelRef` cannot be forgotten. `path`: always a path; `model`: a model name or a path.
 */
export const pathFields = z.registry<{ kind: 'path' | 'model' }>();

export const absPath = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_PATH_LENGTH, `must be at most ${MAX_PATH_LENGTH} characters`)
  .refine((p) => !p.includes('\0'), 'must not contain NUL characters')
  .refine(isAbsolute, 'must be an absolute path')
  .refine((p) => !p.split(/[\\/]/).includes('..'), "must not contain '..' segments")
  .register(pathFields, { kind: 'path' });

/** A name that becomes one folder (a run name): no separators, no dot-only names. */
export const safeName = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u, 'may contain only letters, digits, space, dot, dash and underscore, starting with a letter or digit');

export const shortText = z.string().max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`);

/** Which model to use: "default" (the built-in model) or an absolute path to a model or run folder. */
export const modelRef = shortText.min(1).register(pathFields, { kind: 'model' });

export const fraction = z.number().finite().min(0).max(1);
export const positiveInt = (max: number) => z.number().int().min(1).max(max);

/** The three blur levels of the course: kernel size → Gaussian σ (as cv2.GaussianBlur). */
export const BLUR_LEVELS = { 3: 0.3, 7: 1.0, 11: 1.6 } as const;
export const blurKernel = z.union([z.literal(3), z.literal(7), z.literal(11)]);
export type BlurKernel = z.infer<typeof blurKernel>;

/**
 * How a model restores: blind (fed the blurred photo, it must infer the blur) or kernel-aware (the app
 * estimates the blur, deconvolves it with a Wiener filter, and the model refines that).
 */
export const restorationKind = z.enum(['blind', 'kernel-aware']);
export type RestorationKind = z.infer<typeof restorationKind>;

export const backendName = z.enum(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
export type BackendName = z.infer<typeof backendName>;
