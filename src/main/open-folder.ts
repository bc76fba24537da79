import { stat } from 'node:fs/promises';
import { shell } from 'electron';
import { ContractError } from '../shared/contract';

/**
 * "Open folder" in the desktop app: folders only, so a renderer cannot make the system open (run) a file
 * with its default application.
 */
export async function openFolderInShell(folder: string): Promise<void> {
  const info = await stat(folder).catch(() => null);
  if (!info) throw new ContractError('not_found', `path: ${folder} does not exist`, 'path');
  if (!info.isDirectory()) throw new ContractError('invalid_payload', `path: ${folder} is not a folder`, 'path');
  const problem = await shell.openPath(folder);
  if (problem) throw new ContractError('unavailable', `path: the file manager could not open ${folder}: ${problem}`, 'path');
}
