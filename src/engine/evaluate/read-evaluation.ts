import { readFile } from 'node:fs/promises';
import { ContractError, parseEval, storeEval, type EvalFile, type StoredEvalFile } from '../../shared/contract';

/** An evaluation file, read and validated against the contract's schema (format, version, every field). */
export async function readEvaluation(file: string): Promise<EvalFile> {
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw new ContractError('not_found', `path: cannot read ${file} (${err.message})`, 'path');
  });
  return parseEval(text, file);
}

/** `evaluation.read`: the validated file in its stored form (∞ as "Infinity", which every JSON hop carries intact). */
export async function readStoredEvaluation(file: string): Promise<StoredEvalFile> {
  return storeEval(await readEvaluation(file));
}
