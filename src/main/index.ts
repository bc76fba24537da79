import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow } from 'electron';
import { IPC_EVENT } from '../shared/contract';
import { EngineSupervisor } from '../host/supervisor';
import { createRouter } from '../host/router';
import { listFolder } from '../host/folder-browser';
import { createMainWindow, isAppUrl, resolveAppUrl } from './window';
import { spawnUtilityEngine } from './engine-process';
import { registerIpc } from './ipc';
import { openFileDialog, openFolderDialog } from './dialogs';
import { openFolderInShell } from './open-folder';
import { createElectronSettingsStore } from './settings';

/** Electron main: owns the window, the engine's supervisor and the IPC boundary. No heavy work happens here. */
const here = path.dirname(fileURLToPath(import.meta.url));
const appUrl = resolveAppUrl({
  isPackaged: app.isPackaged,
  devServerUrl: process.env.ELECTRON_RENDERER_URL,
  builtIndexUrl: pathToFileURL(path.join(here, '../renderer/index.html')).href,
});

if (!app.requestSingleInstanceLock()) app.quit();

let win: BrowserWindow | null = null;
const send = (event: string, payload: unknown) => win?.webContents.send(IPC_EVENT, event, payload);
const supervisor = new EngineSupervisor(() => spawnUtilityEngine(path.join(here, 'engine.js')), {
  onEvent: (m) => send(m.event, m.payload),
});

app.whenReady().then(() => {
  const settings = createElectronSettingsStore();
  const route = createRouter(supervisor, {
    settings,
    openFolder: (title) => openFolderDialog(win, title),
    openFile: (title, ext) => openFileDialog(win, title, ext),
    listFolder: (dir, extensions) => listFolder(app.getPath('home'), dir, { extensions }),
    info: () => ({ door: 'desktop', roots: null, openFolder: true, download: false, dataDir: app.getPath('userData') }),
    openFolderInShell,
  });
  registerIpc(route, (url) => isAppUrl(url, appUrl));
  supervisor.start();
  const size = settings.get().window ?? { width: 1280, height: 820 };
  win = createMainWindow({ preloadPath: path.join(here, '../preload/index.cjs'), appUrl, ...size });
  win.on('close', () => {
    const [width, height] = win?.getSize() ?? [size.width, size.height];
    settings.set({ window: { width: Math.max(400, width ?? 1280), height: Math.max(300, height ?? 820) } });
  });
  win.on('closed', () => (win = null));
});

app.on('second-instance', () => win?.focus());
app.on('window-all-closed', () => app.quit());
let quitting = false;
app.on('before-quit', (event) => {
  if (quitting) return;
  quitting = true;
  event.preventDefault();
  void supervisor.stop().finally(() => app.quit());
});
