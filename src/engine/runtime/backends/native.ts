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

/** libtensorflow that tfjs-node 4.22's install step (scripts/install.js) downloads. */
export const LIBTENSORFLOW_VERSION = '2.9.1';

/**
 * Why a native backend is absent. Upstream's download (storage.googleapis.com) answers 403 since
 * August 2026 (tensorflow/tfjs#8742), so npm drops the optional package; tfjs-node's install script
 * reads a mirror's base URL from TFJS_NODE_CDN_STORAGE (checked in its scripts/install.js).
 */
export function notInstalledReason(name: NativeBackend): string {
  const pkg = PACKAGES[name];
  const lib = name === 'tensorflow-gpu' ? 'libtensorflow-gpu' : 'libtensorflow';
  return (
    `module not installed (${pkg}): its install step could not download ${lib} ${LIBTENSORFLOW_VERSION} — upstream's ` +
    'download is gone (storage.googleapis.com answers 403 since August 2026, tensorflow/tfjs issue #8742). With a mirror ' +
    `of it: TFJS_NODE_CDN_STORAGE=https://your-mirror/ npm install ${pkg}`
  );
}

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
    throw new BackendUnavailable(notInstalledReason(name));
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
