import { stat } from 'node:fs/promises';
import { dialog, type BrowserWindow } from 'electron';
import { absPath } from '../shared/contract';

/** Native dialogs. What they return goes back to the renderer only after the same checks as any payload. */
async function validated(p: string | undefined, kind: 'dir' | 'file'): Promise<string | null> {
  if (!p || !absPath.safeParse(p).success) return null;
  const info = await stat(p).catch(() => null);
  if (!info) return null;
  return (kind === 'dir' ? info.isDirectory() : info.isFile()) ? p : null;
}

export async function openFolderDialog(win: BrowserWindow | null, title = 'Choose a folder'): Promise<string | null> {
  const r = win ? await dialog.showOpenDialog(win, { title, properties: ['openDirectory', 'createDirectory'] }) : await dialog.showOpenDialog({ title, properties: ['openDirectory', 'createDirectory'] });
  return r.canceled ? null : validated(r.filePaths[0], 'dir');
}

export async function openFileDialog(win: BrowserWindow | null, title = 'Choose a file', extensions?: string[]): Promise<string | null> {
  const options = { title, properties: ['openFile' as const], filters: extensions?.length ? [{ name: 'Supported files', extensions }] : [] };
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return r.canceled ? null : validated(r.filePaths[0], 'file');
}
