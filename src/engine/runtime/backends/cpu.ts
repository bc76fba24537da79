/** The plain-JavaScript backend: always there, slowest. */
import { setBackend } from '../tf';
import { BackendUnavailable } from './native';

export async function activateCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await setBackend('cpu'))) throw new BackendUnavailable('tfjs-backend-cpu failed to initialise');
}
