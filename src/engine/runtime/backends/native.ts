/**
 * The native TensorFlow backends (@tensorflow/tfjs-node and -gpu, optional dependencies). Their
 * install step downloads libtensorflow; where that failed or was skipped the module is absent.
 * Both register a backend named 'tensorflow' through the full @tensorflow/tfjs package; that lands in
 * the engine's tfjs-core only when npm deduplicated tfjs-core to one copy (the same 4.22.0) —
 * checked here rather than assumed.
 */
import { createRequire } from 'node:module';
import { findBackendFactory, setBackend, version_core } from '../tf';
import { describeError } from './describe-error';

const require = createRequire(import.meta.url);

export type NativeBackend = 'tensorflow-gpu' | 'tensorflow';

const PACKAGES: Record<NativeBackend, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

export class BackendUnavailable extends Error {}

function isInstalled(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Loads and activates a native backend; throws BackendUnavailable with the reason. */
export async function activateNative(name: NativeBackend): Promise<void> {
  const pkg = PACKAGES[name];
  if (!isInstalled(pkg)) {
    throw new BackendUnavailable(
      `module not installed (${pkg}): its install step downloads libtensorflow, which failed or was skipped on this machine`,
    );
  }
  try {
    require(pkg);
  } catch (e) {
    throw new BackendUnavailable(`${pkg} is installed but failed to load: ${describeError(e)}`);
  }
  if (findBackendFactory('tensorflow') == null) {
    let theirs = 'unknown';
    try {
      theirs = (require('@tensorflow/tfjs') as { version?: { 'tfjs-core'?: string } }).version?.['tfjs-core'] ?? theirs;
    } catch {
      // keep 'unknown'
    }
    throw new BackendUnavailable(
      `${pkg} loaded but registered its backend into another tfjs-core instance (theirs ${theirs}, ours ${version_core}); reinstall so npm deduplicates @tensorflow/tfjs-core`,
    );
  }
  let ok = false;
  try {
    ok = await setBackend('tensorflow');
  } catch (e) {
    throw new BackendUnavailable(`${pkg} failed to initialise: ${describeError(e)}`);
  }
  if (!ok) throw new BackendUnavailable(`${pkg} failed to initialise (see the log above)`);
}
