/**
 * Hostile input: a compromised or misled renderer (or a server it reaches) trying to leave the app — navigating
 * a subframe away, a server redirect to another site, links to arbitrary sites and schemes for the system
 * browser, a page asking whether it holds a permission — and an ELECTRON_RENDERER_URL in the environment of a
 * packaged app (or one pointing off this machine in development).
 * Fault injected: each event is fired on the window through the fake electron module (Electron itself cannot be
 * downloaded here), in both the current (details.url) and the deprecated (second argument) form.
 * What must hold: every target that is not the app's own URL is prevented; only https links to the allowlisted
 * origins reach shell.openExternal; permission checks answer false; a packaged app always loads its own bundle.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeElectron, fakeState, FakeBrowserWindow } from '../helpers/fake-electron';

vi.mock('electron', () => ({ ...fakeElectron, default: fakeElectron }));

const { createMainWindow, isAllowedExternalUrl, resolveAppUrl } = await import('../../src/main/window');

const APP_URL = 'file:///opt/deblur/out/renderer/index.html';

describe('the app window under hostile navigation', () => {
  beforeEach(() => {
    FakeBrowserWindow.created = [];
    fakeState.externalOpened = [];
  });
  const open = () => {
    createMainWindow({ preloadPath: '/p.cjs', appUrl: APP_URL, width: 1000, height: 700 });
    return FakeBrowserWindow.created[0]!.webContents;
  };

  it.each(['will-frame-navigate', 'will-redirect', 'will-navigate'])('prevents %s away from the app, in either event form', (name) => {
    const handler = open().handlers.get(name);
    expect(handler).toBeTypeOf('function');
    for (const target of ['https://evil.example/', 'file:///etc/passwd', 'http://localhost:5173/']) {
      const withDetails = { preventDefault: vi.fn(), url: target };
      handler!(withDetails);
      expect(withDetails.preventDefault).toHaveBeenCalled();
      const deprecatedForm = { preventDefault: vi.fn() };
      handler!(deprecatedForm, target);
      expect(deprecatedForm.preventDefault).toHaveBeenCalled();
    }
    const own = { preventDefault: vi.fn(), url: `${APP_URL}#deblur` };
    handler!(own, `${APP_URL}#deblur`);
    expect(own.preventDefault).not.toHaveBeenCalled();
    const noTarget = { preventDefault: vi.fn() };
    handler!(noTarget);
    expect(noTarget.preventDefault).toHaveBeenCalled();
  });

  it('opens only https links to the allowlisted sites in the system browser', () => {
    const wc = open();
    const links = [
      'https://github.com/some/repo',
      'http://github.com/some/repo',
      'https://github.com.evil.example/',
      'https://user:pw@github.com/',
      'https://evil.example/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'smb://server/share',
    ];
    for (const url of links) expect(wc.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    expect(fakeState.externalOpened).toEqual(['https://github.com/some/repo']);
    expect(isAllowedExternalUrl('not a url')).toBe(false);
  });

  it('answers every permission check with false', () => {
    open();
    expect(fakeState.permissionCheckHandler).toBeTypeOf('function');
    for (const permission of ['media', 'clipboard-read', 'geolocation', 'notifications']) {
      expect(fakeState.permissionCheckHandler!(null, permission, 'file://', {})).toBe(false);
    }
  });
});

describe('the URL the app loads', () => {
  const builtIndexUrl = APP_URL;

  it('ignores ELECTRON_RENDERER_URL in a packaged app', () => {
    expect(resolveAppUrl({ isPackaged: true, devServerUrl: 'http://localhost:5173/', builtIndexUrl })).toBe(APP_URL);
    expect(resolveAppUrl({ isPackaged: true, devServerUrl: 'https://evil.example/', builtIndexUrl })).toBe(APP_URL);
  });

  it('uses the dev server in development only when it is on this machine', () => {
    expect(resolveAppUrl({ isPackaged: false, devServerUrl: 'http://localhost:5173/', builtIndexUrl })).toBe('http://localhost:5173/');
    expect(resolveAppUrl({ isPackaged: false, devServerUrl: 'http://127.0.0.1:5173', builtIndexUrl })).toBe('http://127.0.0.1:5173/');
    expect(resolveAppUrl({ isPackaged: false, devServerUrl: 'https://evil.example/', builtIndexUrl })).toBe(APP_URL);
    expect(resolveAppUrl({ isPackaged: false, devServerUrl: 'file:///tmp/evil.html', builtIndexUrl })).toBe(APP_URL);
    expect(resolveAppUrl({ isPackaged: false, devServerUrl: 'nonsense', builtIndexUrl })).toBe(APP_URL);
    expect(resolveAppUrl({ isPackaged: false, devServerUrl: undefined, builtIndexUrl })).toBe(APP_URL);
  });
});
