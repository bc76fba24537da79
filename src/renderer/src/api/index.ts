import { API_GLOBAL, type DeblurApi } from '../../../shared/contract/api';
import { createSocketApi } from './socket-api';

/**
 * The UI's only door to the app. Inside Electron the preload has installed the API; in a browser the
 * socket client provides the identical interface. Views import `api` and never ask which one it is.
 */
function resolveApi(): DeblurApi {
  const injected = (window as unknown as Record<string, DeblurApi | undefined>)[API_GLOBAL];
  return injected ?? createSocketApi();
}

export const api: DeblurApi = resolveApi();
