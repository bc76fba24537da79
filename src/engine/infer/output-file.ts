import { promises as fs } from 'node:fs';
import path from 'node:path';
import { placeExclusively, tempPathFor, writeNewFile } from '../fs/atomic';
import { assertConfined } from '../fs/confinement';
import { describeFsError } from '../fs/errors';

/**
 * Output files of a deblur job are never written over an existing file (the original photo above
 * all): the name `<stem><ext>` is used when free, else `<stem>.deblurred<ext>`, then
 * `<stem>.deblurred-2<ext>`, … Writing is atomic and exclusive: the bytes go to a temp file that is
 * then hard-linked to the final name, which fails (instead of replacing) if the name was taken
 * meanwhile. With `overwrite` (asked for by the user) the first name is replaced instead, by a rename.
 * The temp file is removed on every failure path, a full disk included.
 */

export const OUTPUT_SUFFIX = '.deblurred';
const MAX_ATTEMPTS = 1000;

export function candidateName(stem: string, ext: string, attempt: number): string {
  if (attempt === 0) return `${stem}${ext}`;
  return attempt === 1 ? `${stem}${OUTPUT_SUFFIX}${ext}` : `${stem}${OUTPUT_SUFFIX}-${attempt}${ext}`;
}

/**
 * Writes `data` as a new file in `dir` named after `stem` and `ext` (see above); `avoid` is a path
 * that must never be the output (the input photo). Returns the path written.
 */
export async function writeNewOutput(dir: string, stem: string, ext: string, data: Uint8Array, avoid: string, opts: { overwrite?: boolean } = {}): Promise<string> {
  const avoidResolved = path.resolve(avoid);
  await assertConfined(path.join(dir, stem), 'write');
  const tmp = tempPathFor(path.join(dir, stem));
  let target = path.join(dir, candidateName(stem, ext, 0));
  try {
    await fs.mkdir(dir, { recursive: true });
    await writeNewFile(tmp, data, { durable: false });
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      target = path.join(dir, candidateName(stem, ext, attempt));
      if (path.resolve(target) === avoidResolved) continue;
      if (opts.overwrite) {
        await fs.rename(tmp, target);
        return target;
      }
      if (await placeExclusively(tmp, target)) return target;
    }
    throw new Error(`no free output name for ${stem}${ext} in ${dir} after ${MAX_ATTEMPTS} attempts`);
  } catch (err) {
    throw describeFsError(err, target, 'write');
  } finally {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
}
