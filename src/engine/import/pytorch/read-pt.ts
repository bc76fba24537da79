import { promises as fs } from 'node:fs';
import { unpickle, type PtValue } from './unpickle';
import { PtFileError, readZipEntries } from './zip-entries';

export { PtFileError } from './zip-entries';

/** Reads a torch.save file (zip: <name>/data.pkl + <name>/data/<key> storages) into plain values and float32 tensors. */
export async function readPtFile(file: string): Promise<PtValue> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PtFileError(code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file}: ${(err as Error).message}`, file);
  }
  return parsePt(bytes, file);
}

export function parsePt(bytes: Uint8Array, file: string): PtValue {
  const entries = readZipEntries(bytes, file);
  const pklName = [...entries.keys()].find((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (!pklName) throw new PtFileError(`${file} is a zip archive without data.pkl: not a torch.save checkpoint`, file);
  const prefix = pklName.slice(0, pklName.length - 'data.pkl'.length);
  return unpickle(entries.get(pklName)!, (key) => entries.get(`${prefix}data/${key}`), file);
}
