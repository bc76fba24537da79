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

/**
 * The only sites a link in the app may open in the system browser (https, exact origin): the project's pages
 * and the runtimes' documentation. Anything else, http:, file:, custom schemes, is dropped.
 */
export const EXTERNAL_ORIGINS: readonly string[] = ['https://github.com', 'https://www.tensorflow.org', 'https://onnxruntime.ai'];

export function isAllowedExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '' && EXTERNAL_ORIGINS.includes(u.origin);
  } catch {
    return false;
  }
}

/** Navigation events give the target as `details.url` (Electron ≥ 25) and, deprecated, as the second argument. */
type NavigationEvent = { preventDefault(): void; url?: string };
const targetOf = (event: NavigationEvent, url: unknown): string => (typeof event.url === 'string' ? event.url : typeof url === 'string' ? url : '');

export interface WindowOptions {
  preloadPath: string;
  /** file:// URL of the built renderer, or the dev server's URL */
  appUrl: string;
  width: number;
  height: number;
}

/**
 * Creates the one app window: sandboxed, isolated, no navigation or redirect away (in any frame), no new
 * windows (links to EXTERNAL_ORIGINS open in the system browser), every permission request and check denied.
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
  // the page, any frame in it, and any server redirect stay on the app's own URL
  const stayInApp = (event: NavigationEvent, url?: unknown) => {
    if (!isAppUrl(targetOf(event, url), opts.appUrl)) event.preventDefault();
  };
  win.webContents.on('will-navigate', stayInApp);
  win.webContents.on('will-frame-navigate', stayInApp);
  win.webContents.on('will-redirect', stayInApp);
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // requests (a prompt would appear) and checks (a page asks whether it has a permission) are both refused
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.appUrl);
  return win;
}

/**
 * The URL the window loads: the built renderer, or in development (not packaged) the dev server electron-vite
 * names in ELECTRON_RENDERER_URL, and only if it is on this machine. A packaged app never takes its page from
 * the environment.
 */
export function resolveAppUrl(opts: { isPackaged: boolean; devServerUrl: string | undefined; builtIndexUrl: string }): string {
  if (opts.isPackaged || !opts.devServerUrl) return opts.builtIndexUrl;
  try {
    const u = new URL(opts.devServerUrl);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) return u.href;
  } catch {
    // not a URL: fall through to the built renderer
  }
  return opts.builtIndexUrl;
}
