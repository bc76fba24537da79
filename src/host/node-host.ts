import { homedir } from 'node:os';
import path from 'node:path';
import type { EventMessage } from '../shared/contract';
import { CONFINE_ENV } from '../engine/fs/confinement';
import { forkEngine } from './engine-child';
import { engineSourceEntry } from './engine-entry';
import { createDownloadTickets } from './download-tickets';
import { listFolder } from './folder-browser';
import { createPathPolicy } from './path-policy';
import { createRouter, type HostServices } from './router';
import { FileSettingsStore, defaultSettingsFile } from './settings-store';
import { EngineSupervisor } from './supervisor';
import { ContractError } from '../shared/contract';

export interface NodeHostOptions {
  onEvent: (message: EventMessage) => void;
  /** folder the browser host's picker may show (default: the user's home) */
  browseRoot?: string;
  settingsFile?: string;
  engineEnv?: NodeJS.ProcessEnv;
  /**
   * The browser host: every path a request names must lie in browseRoot, one of extraRoots, or the app's data
   * folder (where the settings file lives). The CLI passes none: its paths come from the user's own command line.
   */
  confine?: { extraRoots?: string[] };
}

/** The engine plus host services for the Node front doors (browser host, CLI): one supervisor, one router. */
export function createNodeHost(opts: NodeHostOptions) {
  const browseRoot = opts.browseRoot ?? homedir();
  const noDialog = (): never => {
    throw new ContractError('unavailable', 'no native dialog in this host: use the folder browser (fs.list)');
  };
  const settingsFile = opts.settingsFile ?? defaultSettingsFile();
  const roots = [browseRoot, ...(opts.confine?.extraRoots ?? []), path.dirname(settingsFile)];
  const paths = opts.confine ? createPathPolicy(roots) : undefined;
  // the engine confines what it reaches through links inside folders to the same roots (engine/fs/confinement.ts)
  const engineEnv = opts.confine ? { ...opts.engineEnv, [CONFINE_ENV]: JSON.stringify(roots.map((r) => path.resolve(r))) } : opts.engineEnv;
  const supervisor = new EngineSupervisor(() => forkEngine({ entry: engineSourceEntry(), env: engineEnv }), { onEvent: opts.onEvent });
  // downloads are confined by the same policy even where requests are not (tests, the CLI, which serves none)
  const downloads = createDownloadTickets(paths ?? createPathPolicy(roots));
  const services: HostServices = {
    settings: new FileSettingsStore(settingsFile),
    openFolder: async () => noDialog(),
    openFile: async () => noDialog(),
    listFolder: (dir, extensions) => listFolder(roots, dir, { extensions }),
    info: () => ({ door: 'browser', roots: paths ? [...paths.roots] : null, openFolder: false, download: true, dataDir: path.dirname(settingsFile) }),
    downloadTicket: ({ path: target, zip }) => downloads.issue(target, { zip }),
  };
  const route = createRouter(supervisor, services, { paths });
  supervisor.start();
  return { supervisor, route, services, downloads };
}
