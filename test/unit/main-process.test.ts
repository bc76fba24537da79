import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeElectron, fakeState, FakeBrowserWindow } from '../helpers/fake-electron';

vi.mock('electron', () => ({ ...fakeElectron, default: fakeElectron }));

const { createMainWindow, secureWebPreferences, isAppUrl } = await import('../../src/main/window');
const { registerIpc } = await import('../../src/main/ipc');
const { openFolderDialog, openFileDialog } = await import('../../src/main/dialogs');
const { IPC_CALL, ContractError } = await import('../../src/shared/contract');

const APP_URL = 'file:///opt/deblur/out/renderer/index.html';

describe('main window security', () => {
  beforeEach(() => {
    FakeBrowserWindow.created = [];
  });

  it('creates the window with isolation, sandbox and no node integration', () => {
    createMainWindow({ preloadPath: '/opt/deblur/out/preload/index.cjs', appUrl: APP_URL, width: 1000, height: 700 });
    const win = FakeBrowserWindow.created[0]!;
    const prefs = win.options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/opt/deblur/out/preload/index.cjs',
    });
    expect(prefs).toEqual(secureWebPreferences('/opt/deblur/out/preload/index.cjs'));
    expect(win.loadedUrl).toBe(APP_URL);
  });

  it('blocks navigation away from the app and all new windows', () => {
    createMainWindow({ preloadPath: '/p.cjs', appUrl: APP_URL, width: 1000, height: 700 });
    const wc = FakeBrowserWindow.created[0]!.webContents;
    const navigate = wc.handlers.get('will-navigate')!;
    const foreign = { preventDefault: vi.fn() };
    navigate(foreign, 'https://evil.example/');
    expect(foreign.preventDefault).toHaveBeenCalled();
    const otherFile = { preventDefault: vi.fn() };
    navigate(otherFile, 'file:///etc/passwd');
    expect(otherFile.preventDefault).toHaveBeenCalled();
    const own = { preventDefault: vi.fn() };
    navigate(own, `${APP_URL}#train`);
    expect(own.preventDefault).not.toHaveBeenCalled();

    fakeState.externalOpened = [];
    expect(wc.windowOpenHandler!({ url: 'https://github.com/deblur-studio' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler!({ url: 'https://docs.example/' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(fakeState.externalOpened).toEqual(['https://github.com/deblur-studio']);
  });

  it('denies every permission request', () => {
    createMainWindow({ preloadPath: '/p.cjs', appUrl: APP_URL, width: 1000, height: 700 });
    const cb = vi.fn();
    fakeState.permissionHandler!(null, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
  });

  it('recognises only its own URLs', () => {
    expect(isAppUrl(APP_URL, APP_URL)).toBe(true);
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isAppUrl('not a url', APP_URL)).toBe(false);
  });
});

describe('IPC boundary', () => {
  const calls: Array<[unknown, unknown]> = [];
  const route = async (method: unknown, params: unknown) => {
    calls.push([method, params]);
    if (method !== 'settings.get') throw new ContractError('invalid_payload', 'params.x: bad', 'params.x');
    return { theme: 'system', folders: {} };
  };
  registerIpc(route, (url) => isAppUrl(url, APP_URL));
  const handler = () => fakeState.ipcHandlers.get(IPC_CALL)!;
  const fromApp = { senderFrame: { url: APP_URL } };

  it('answers a trusted call', async () => {
    await expect(handler()(fromApp, 'settings.get', {})).resolves.toEqual({ ok: true, result: { theme: 'system', folders: {} } });
  });

  it('returns validation errors as data with the field', async () => {
    await expect(handler()(fromApp, 'job.start', { x: 1 })).resolves.toEqual({ ok: false, error: { code: 'invalid_payload', message: 'params.x: bad', field: 'params.x' } });
  });

  it('refuses calls from frames that are not the app', async () => {
    const before = calls.length;
    const r = await handler()({ senderFrame: { url: 'https://evil.example/' } }, 'settings.get', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(calls.length).toBe(before);
  });

  it('rejects invalid payloads through the real router', async () => {
    const { createRouter } = await import('../../src/host/router');
    const realRoute = createRouter({ status: () => ({}) } as never, {
      settings: { get: () => ({}) as never, set: () => ({}) as never },
      openFolder: async () => null,
      openFile: async () => null,
      listFolder: async () => ({ dir: '/', parent: null, entries: [] }),
    });
    fakeState.ipcHandlers.clear();
    registerIpc(realRoute, (url) => isAppUrl(url, APP_URL));
    const r1 = await handler()(fromApp, 'dialog.openFolder', { title: 5 });
    expect(r1).toMatchObject({ ok: false, error: { code: 'invalid_payload', field: 'params.title' } });
    const r2 = await handler()(fromApp, 'shell.exec', {});
    expect(r2).toMatchObject({ ok: false, error: { code: 'invalid_payload', field: 'method' } });
    const r3 = await handler()(fromApp, 'fs.list', { dir: '../etc' });
    expect(r3).toMatchObject({ ok: false, error: { code: 'invalid_payload', field: 'params.dir' } });
  });
});

describe('native dialogs return only validated paths', () => {
  it('passes an existing folder, refuses files, relative and missing paths', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dlg-'));
    const file = path.join(dir, 'a.jpg');
    await writeFile(file, 'x');
    fakeState.openDialogResult = { canceled: false, filePaths: [dir] };
    await expect(openFolderDialog(null)).resolves.toBe(dir);
    fakeState.openDialogResult = { canceled: false, filePaths: [file] };
    await expect(openFolderDialog(null)).resolves.toBeNull();
    await expect(openFileDialog(null)).resolves.toBe(file);
    fakeState.openDialogResult = { canceled: false, filePaths: ['relative/dir'] };
    await expect(openFolderDialog(null)).resolves.toBeNull();
    fakeState.openDialogResult = { canceled: false, filePaths: [path.join(dir, 'missing')] };
    await expect(openFolderDialog(null)).resolves.toBeNull();
    fakeState.openDialogResult = { canceled: true, filePaths: [] };
    await expect(openFileDialog(null)).resolves.toBeNull();
  });
});
