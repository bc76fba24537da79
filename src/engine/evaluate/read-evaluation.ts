import { readFile } from 'node:fs/promises';
import { ContractError } from '../../shared/contract';
import { parseEval } from './eval-schema';

/** `evaluation.read`: an evaluation file checked for its format and version, answered as stored (PSNR ∞ stays "Infinity"). */
export async function readStoredEvaluation(file: string): Promise<Record<string, unknown>> {
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw new ContractError('not_found', `path: cannot read ${file} (${err.message})`, 'path');
  });
  parseEval(text, file);
  return JSON.parse(text) as Record<string, unknown>;
}
