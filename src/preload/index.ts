import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { API_GLOBAL, IPC_CALL, IPC_EVENT, type DeblurApi } from '../shared/contract/api';
import { ContractError, type ErrorShape } from '../shared/contract/errors';

/**
 * Exposes exactly the contract's DeblurApi to the sandboxed renderer — two functions, no Electron objects.
 * Payloads are validated in the main process (src/main/ipc.ts), the boundary that can be trusted.
 */
type Wire = { ok: true; result: unknown } | { ok: false; error: ErrorShape };

const api: DeblurApi = {
  async call(method, params) {
    const wire = (await ipcRenderer.invoke(IPC_CALL, method, params)) as Wire;
    if (!wire.ok) throw ContractError.from(wire.error);
    return wire.result as never;
  },
  on(event, listener) {
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload as never);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT, handler);
  },
};

contextBridge.exposeInMainWorld(API_GLOBAL, api);
// Drag-and-drop: a sandboxed page sees File objects without paths; this resolves the path of a dropped file.
// The path is only a suggestion: it is validated like any other payload when the UI sends it back.
contextBridge.exposeInMainWorld('deblurFiles', { pathForFile: (file: File) => webUtils.getPathForFile(file) });
