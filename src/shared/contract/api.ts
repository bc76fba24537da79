import type { EventName, EventPayload } from './events';
import type { MethodName, MethodParamsInput, MethodResult } from './queries';

/**
 * The one API object the renderer sees, whichever front door it runs behind: the Electron preload
 * exposes it through contextBridge; the browser host's client builds it over a WebSocket.
 */
export interface DeblurApi {
  call<M extends MethodName>(method: M, params: MethodParamsInput<M>): Promise<MethodResult<M>>;
  /** Subscribes to one event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Where the link to the host can drop (the browser host's socket): told on every loss (with why) and every reconnect. */
  onConnection?(listener: (connected: boolean, reason: string | null) => void): () => void;
}

/** Name of the global the preload (or browser client) installs. */
export const API_GLOBAL = 'deblur';

/** Electron IPC channel names (main ⇄ preload). */
export const IPC_CALL = 'deblur:call';
export const IPC_EVENT = 'deblur:event';
