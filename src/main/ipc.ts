import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { IPC_CALL, toErrorShape, ContractError, type ErrorShape } from '../shared/contract';
import type { Router } from '../host/router';

export type Wire = { ok: true; result: unknown } | { ok: false; error: ErrorShape };

/**
 * The one IPC handler: checks who is calling (only the app's own page), then hands method and params to the
 * router, which validates them against the contract. Errors travel as data so their code and field survive.
 */
export function registerIpc(route: Router, isTrustedSender: (url: string) => boolean): void {
  ipcMain.handle(IPC_CALL, async (event: IpcMainInvokeEvent, method: unknown, params: unknown): Promise<Wire> => {
    try {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedSender(url)) throw new ContractError('forbidden', `calls from ${url || 'an unknown frame'} are not accepted`);
      return { ok: true, result: await route(method, params) };
    } catch (err) {
      return { ok: false, error: toErrorShape(err) };
    }
  });
}
