import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SPLIT_NAMES } from './split';
import { assertConfined, OutsideRootsError } from '../fs/confinement';
import { firstIssue } from '../../shared/contract';

/**
 * `manifest.json` of a prepared data set: what was made from what, with which settings and
 * versions, and a checksum for every file, so a set can be verified, resumed and reproduced.
 * Layout next to it: `sharp/<split>/<id>.png` and `blur_k<k>/<split>/<id>.png` per level.
 */
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'deblur-studio/prepared-dataset';
export const SHARP_DIR = 'sharp';

export function blurDirName(level: number): string {
  return `blur_k${level}`;
}

const splitName = z.enum(SPLIT_NAMES);
/**
 * A path inside a folder, '/'-separated: never absolute, never through "..", so a manifest (a file anyone can edit)
 * cannot make a job read or overwrite a file outside its data set or source folder.
 */
const relFile = z
  .string()
  .min(1)
  // joined part by part under the folder, only ".." can lead out; a backslash is a name's own character on Linux but a
  // separator on Windows, so ".." is refused either way
  .refine((f) => f.split('/').every((part) => part !== '' && part !== '.') && f.split(/[/\\]/).every((part) => part !== '..'), {
    message: 'must be a path inside the folder ("a/b.png": not absolute, no "..", "." or empty parts)',
  });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const outputFileSchema = z.object({
  /** path relative to the data set folder, '/'-separated */
  file: relFile,
  bytes: z.number().int().nonnegative(),
  sha256,
});

export const manifestItemSchema = z.object({
  id: z.string(),
  split: splitName,
  group: z.string(),
  source: z.object({
    relPath: relFile,
    bytes: z.number().int().nonnegative(),
    mtimeMs: z.number(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    sha256,
  }),
  /** 'sharp' and one 'blur_k<k>' entry per level */
  outputs: z.record(z.string(), outputFileSchema),
});

export const prepareSettingsSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  levels: z.array(z.number().int()),
  /** kernel size → σ, as passed to cv2.GaussianBlur */
  sigmas: z.record(z.string(), z.number()),
  fraction: z.number(),
  seed: z.number().int(),
  split: z.tuple([z.number(), z.number(), z.number()]),
  limitInputPixels: z.number(),
  resize: z.string(),
  blur: z.string(),
  png: z.object({ compressionLevel: z.number().int() }),
  /** how photos fill the frame; absent = 'stretch' (so stretched sets read and resume as before this setting existed) */
  fit: z.enum(['stretch', 'crop']).optional(),
});

export const skippedEntrySchema = z.object({ relPath: z.string(), reason: z.string(), detail: z.string() });

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(1),
  complete: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  app: z.object({ name: z.string(), version: z.string() }),
  sharp: z.object({ sharp: z.string(), libvips: z.string() }),
  source: z.object({ path: z.string() }),
  settings: prepareSettingsSchema,
  splits: z.record(splitName, z.object({ groups: z.number().int(), images: z.number().int() })),
  items: z.array(manifestItemSchema),
  skipped: z.array(skippedEntrySchema),
});

export type OutputFile = z.infer<typeof outputFileSchema>;
export type ManifestItem = z.infer<typeof manifestItemSchema>;
export type PrepareSettings = z.infer<typeof prepareSettingsSchema>;
export type DatasetManifest = z.infer<typeof manifestSchema>;

/** Reads and validates a manifest; null when the folder has none. Throws a specific error when it is damaged. */
export async function readManifest(datasetDir: string): Promise<DatasetManifest | null> {
  const file = path.join(datasetDir, MANIFEST_FILE);
  let text: string;
  try {
    await assertConfined(file, 'read');
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof OutsideRootsError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON (damaged data set?)`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${file} is not a data set manifest of this app: ${firstIssue(parsed.error) ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Like readManifest, but a missing or unfinished manifest is an error (for consumers such as the loader). */
export async function readCompleteManifest(datasetDir: string): Promise<DatasetManifest> {
  const m = await readManifest(datasetDir);
  if (!m) throw new Error(`${datasetDir} holds no prepared data set (no ${MANIFEST_FILE}); run "prepare" first`);
  if (!m.complete) throw new Error(`the data set in ${datasetDir} is not finished; run "prepare" again to complete it`);
  return m;
}
