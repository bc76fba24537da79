import type { DeblurApi, ErrorShape, EventName } from '../../../shared/contract';
import { ContractError } from '../../../shared/contract/errors';

/**
 * The browser host's implementation of DeblurApi: the same two functions the Electron preload exposes,
 * carried over a WebSocket to 127.0.0.1. The token comes from the URL fragment the host printed.
 */

type Incoming =
  | { kind: 'reply'; id: string; ok: true; result: unknown }
  | { kind: 'reply'; id: string; ok: false; error: ErrorShape }
  | { kind: 'event'; event: EventName; payload: unknown };

/** While anyone listens for events, a dropped socket is reopened after this delay (the host may be restarting). */
const RECONNECT_MS = 2000;

export function createSocketApi(loc: Location = window.location): DeblurApi {
  const token = new URLSearchParams(loc.hash.slice(1)).get('token') ?? '';
  const url = `ws://${loc.host}/api?token=${encodeURIComponent(token)}`;
  const pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const connectionListeners = new Set<(connected: boolean, reason: string | null) => void>();
  const tellConnection = (connected: boolean, reason: string | null) => connectionListeners.forEach((l) => l(connected, reason));
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let counter = 0;

  const hasListeners = () => connectionListeners.size > 0 || [...listeners.values()].some((s) => s.size > 0);

  function scheduleReconnect(): void {
    if (reconnectTimer || !hasListeners()) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect().catch(() => scheduleReconnect());
    }, RECONNECT_MS);
  }

  function onMessage(text: string): void {
    let msg: Incoming;
    try {
      msg = JSON.parse(text) as Incoming;
    } catch {
      return;
    }
    if (msg.kind === 'event') {
      listeners.get(msg.event)?.forEach((l) => l(msg.payload));
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(ContractError.from(msg.error));
  }

  function connect(): Promise<WebSocket> {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
        tellConnection(true, null);
      };
      ws.onerror = () => reject(new ContractError('unavailable', 'cannot reach the Deblur Studio host: is it still running, and was the link opened with its token?'));
      ws.onclose = () => {
        socket = null;
        opened = null;
        for (const p of pending.values()) p.reject(new ContractError('unavailable', 'connection to the host closed'));
        pending.clear();
        tellConnection(false, 'the connection to the host closed: is it still running?');
        scheduleReconnect();
      };
      ws.onmessage = (e) => onMessage(String(e.data));
    });
    return opened;
  }

  return {
    async call(method, params) {
      const ws = socket ?? (await connect());
      const id = `r${++counter}`;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ kind: 'request', id, method, params }));
      });
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (p: unknown) => void);
      listeners.set(event, set);
      void connect().catch(() => scheduleReconnect());
      return () => set.delete(listener as (p: unknown) => void);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      void connect().catch(() => scheduleReconnect());
      return () => connectionListeners.delete(listener);
    },
  };
}
