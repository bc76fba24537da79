import type { DeblurApi, HostInfo } from '../../../shared/contract';

/** What the front door offers (host.info): the folders it may read, open-folder (desktop), downloads (browser). */
class HostState {
  info = $state<HostInfo | null>(null);
}

export const host = new HostState();

export function loadHostInfo(api: DeblurApi): void {
  api.call('host.info', {}).then(
    (info) => (host.info = info),
    () => (host.info = null), // an older host: no extras offered
  );
}

/**
 * Downloads a file from the browser host (with `zip`: a folder's files as one .zip): a one-time ticket is asked
 * for over the authenticated socket, so the session token never appears in the download's URL.
 */
export async function downloadFile(api: DeblurApi, path: string, opts: { zip?: boolean } = {}): Promise<void> {
  const ticket = await api.call('download.ticket', { path, ...(opts.zip ? { zip: true } : {}) });
  const a = document.createElement('a');
  a.href = ticket.url;
  a.download = ticket.name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}
