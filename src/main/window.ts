import { BrowserWindow, session, shell, type WebPreferences } from 'electron';

/** The renderer's security settings, in one place so the tests can assert every flag. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/** True for the URLs the app itself loads (its file:// bundle or the dev server); everything else is foreign. */
export function isAppUrl(url: string, appUrl: string): boolean {
  try {
    const u = new URL(url);
    const app = new URL(appUrl);
    return u.protocol === app.protocol && u.host === app.host && (u.protocol !== 'file:' || u.pathname === app.pathname);
  } catch {
    return false;
  }
}

export interface WindowOptions {
  preloadPath: string;
  /** file:// URL of the built renderer, or the dev server's URL */
  appUrl: string;
  width: number;
  height: number;
}

/**
 * Creates the one app window: sandboxed, isolated, no navigation away, no new windows (external http(s)
 * links open in the system browser), and every permission request (camera, notifications …) denied.
 */
export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: opts.width,
    height: opts.height,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Deblur Studio',
    webPreferences: secureWebPreferences(opts.preloadPath),
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, opts.appUrl)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.appUrl);
  return win;
}
