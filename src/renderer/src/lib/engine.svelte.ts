import type { DeblurApi, EventPayload } from '../../../shared/contract';
import { errorMessage } from './errors';

export type EngineStatus = EventPayload<'engine.status'>;

/** The engine process's state as the host reports it (engine.status method, then events). */
class EngineState {
  status = $state<EngineStatus>({ state: 'starting', message: 'connecting to the host', pid: null, restarts: 0 });
  /** set when the host itself cannot be reached (then the last engine state says nothing) */
  connectionError = $state<string | null>(null);
}

export const engine = new EngineState();

export function connectEngineStatus(api: DeblurApi): () => void {
  const ask = () =>
    api.call('engine.status', {}).then(
      (s) => {
        engine.status = s;
        engine.connectionError = null;
      },
      (err: unknown) => (engine.connectionError = errorMessage(err)),
    );
  const off = api.on('engine.status', (s) => {
    engine.status = s;
    engine.connectionError = null;
  });
  // The browser host can go away (stopped, or restarted with a new engine): "ready" must not outlive it.
  const offConnection = api.onConnection?.((connected, reason) => {
    if (connected) void ask();
    else engine.connectionError = reason ?? 'the connection to the host closed';
  });
  void ask();
  return () => {
    off();
    offConnection?.();
  };
}
