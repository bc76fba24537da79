import type { DeblurApi, EventPayload } from '../../../shared/contract';
import { errorMessage } from './errors';

export type EngineStatus = EventPayload<'engine.status'>;

/** The engine process's state as the host reports it (engine.status method, then events). */
class EngineState {
  status = $state<EngineStatus>({ state: 'starting', message: 'connecting to the host', pid: null, restarts: 0 });
  /** set when the host itself cannot be reached */
  connectionError = $state<string | null>(null);
}

export const engine = new EngineState();

export function connectEngineStatus(api: DeblurApi): () => void {
  const off = api.on('engine.status', (s) => {
    engine.status = s;
    engine.connectionError = null;
  });
  api.call('engine.status', {}).then(
    (s) => {
      engine.status = s;
      engine.connectionError = null;
    },
    (err: unknown) => (engine.connectionError = errorMessage(err)),
  );
  return off;
}
