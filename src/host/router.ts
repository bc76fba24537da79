import {
  ContractError,
  isHostMethod,
  methods,
  parseMethodName,
  parseParams,
  type MethodName,
  type MethodParams,
  type MethodResult,
} from '../shared/contract';
import type { EngineSupervisor } from './supervisor';
import type { SettingsStore } from './settings-store';
import type { PathPolicy } from './path-policy';

/** What a front door answers itself (the rest goes to the engine). */
export interface HostServices {
  settings: SettingsStore;
  openFolder(title?: string): Promise<string | null>;
  openFile(title?: string, extensions?: string[]): Promise<string | null>;
  listFolder(dir?: string, extensions?: string[]): Promise<MethodResult<'fs.list'>>;
  /** which door this is and what it offers (default: a desktop-like host without extras) */
  info?(): MethodResult<'host.info'>;
  /** shows a folder in the system's file manager (the desktop app) */
  openFolderInShell?(folder: string): Promise<void>;
  /** a one-time download link (the browser host) */
  downloadTicket?(params: MethodParams<'download.ticket'>): Promise<MethodResult<'download.ticket'>>;
}

export interface RouterOptions {
  /** confines every path in every request's params (the browser host); without it paths are not confined */
  paths?: PathPolicy;
}

/**
 * The boundary between an untrusted UI and the app: every call is validated here (method name, then params
 * against the contract, then the paths they name against the host's policy), then answered by the host or
 * forwarded to the engine.
 */
export function createRouter(supervisor: EngineSupervisor, host: HostServices, options: RouterOptions = {}) {
  async function answerHost<M extends MethodName>(method: M, params: MethodParams<M>): Promise<unknown> {
    switch (method) {
      case 'engine.status':
        return supervisor.status();
      case 'settings.get':
        return host.settings.get();
      case 'settings.set':
        return host.settings.set(params as MethodParams<'settings.set'>);
      case 'dialog.openFolder':
        return { path: await host.openFolder((params as MethodParams<'dialog.openFolder'>).title) };
      case 'dialog.openFile': {
        const p = params as MethodParams<'dialog.openFile'>;
        return { path: await host.openFile(p.title, p.extensions) };
      }
      case 'fs.list': {
        const p = params as MethodParams<'fs.list'>;
        return host.listFolder(p.dir, p.extensions);
      }
      case 'host.info':
        return host.info?.() ?? { door: 'desktop', roots: null, openFolder: Boolean(host.openFolderInShell), download: Boolean(host.downloadTicket), dataDir: null };
      case 'shell.openFolder':
        if (!host.openFolderInShell) throw new ContractError('unavailable', 'this host cannot open folders on your screen: download the files instead');
        await host.openFolderInShell((params as MethodParams<'shell.openFolder'>).path);
        return { ok: true };
      case 'download.ticket':
        if (!host.downloadTicket) throw new ContractError('unavailable', 'downloads are offered by the browser host; here the files are on this computer');
        return host.downloadTicket(params as MethodParams<'download.ticket'>);
      default:
        throw new ContractError('internal', `no host handler for ${method}`);
    }
  }

  return async function route(rawMethod: unknown, rawParams: unknown): Promise<unknown> {
    const method = parseMethodName(rawMethod);
    const params = parseParams(method, rawParams);
    await options.paths?.check(methods[method].params, params, 'params');
    if (isHostMethod(method)) return answerHost(method, params);
    return supervisor.request(method, params as never) as Promise<MethodResult<typeof method>>;
  };
}

export type Router = ReturnType<typeof createRouter>;
