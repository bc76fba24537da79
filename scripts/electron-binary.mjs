// Electron's npm package has no install script: its binary (about 100 MB) is fetched by the package's own
// install.js (through @electron/get) the first time `require('electron')` runs. electron-vite's preview only reads
// node_modules/electron/path.txt and fails with "Electron uninstall" when it is missing, so `npm start` runs that
// install.js itself first, with a time bound: offline, @electron/get can wait on DNS for a long time.
import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The folder of the electron package this project resolves. */
export function electronPackageDir() {
  return path.dirname(require.resolve('electron/package.json'));
}

/** Whether the binary is there, by the same files electron's install.js writes (path.txt → dist/<executable>). */
export function isElectronInstalled(dir = electronPackageDir()) {
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return false;
  const executable = readFileSync(pathFile, 'utf8').trim();
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(dir, 'dist');
  return executable !== '' && existsSync(path.join(distDir, executable));
}

/** The host @electron/get downloads from (ELECTRON_MIRROR, as it reads it), or null for a local mirror. */
function downloadHost() {
  const mirror = process.env.ELECTRON_MIRROR || process.env.npm_config_electron_mirror || process.env.npm_package_config_electron_mirror || 'https://github.com/';
  try {
    const url = new URL(mirror);
    return url.protocol === 'file:' ? null : url.hostname;
  } catch {
    return null;
  }
}

const usesProxy = () => ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ELECTRON_GET_USE_PROXY', 'GLOBAL_AGENT_HTTPS_PROXY'].some((k) => process.env[k]);

/** Resolves the download host within `timeoutMs`: null when it resolves, else why not. */
async function probeHost(host, timeoutMs) {
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(`no answer from DNS for ${host} within ${timeoutMs / 1000} s`), timeoutMs)));
  const answer = lookup(host).then(
    () => null,
    (err) => `cannot resolve ${host} (${err.code ?? err.message})`,
  );
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error line of install.js's output (it prints a stack trace): the last line that is not a stack frame. */
function errorLine(stderr) {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('at '));
  return lines.at(-1) ?? null;
}

/**
 * Makes sure Electron's binary is installed, downloading it with electron's own install.js when it is not.
 * Fails fast offline: when the download host does not resolve within `probeTimeoutMs`, the install gets only
 * `offlineGraceMs` (enough to unpack a zip @electron/get has cached), else `timeoutMs` in all.
 * Resolves with { ok: true, downloaded } or { ok: false, reason }.
 */
export async function ensureElectronBinary({
  dir = electronPackageDir(),
  log = (line) => process.stderr.write(`${line}\n`),
  probeTimeoutMs = 5_000,
  offlineGraceMs = 15_000,
  timeoutMs = Number(process.env.DEBLUR_ELECTRON_DOWNLOAD_TIMEOUT_S ?? 900) * 1000,
} = {}) {
  if (isElectronInstalled(dir)) return { ok: true, downloaded: false };
  const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  log(`Electron ${version}'s binary is not downloaded yet (its package fetches it on first use): downloading it once, about 100 MB…`);

  const child = spawn(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (err) => resolve({ code: null, signal: null, error: err }));
  });

  let offline = null;
  let deadlineTimer;
  const deadline = (ms, why) => {
    clearTimeout(deadlineTimer);
    deadlineTimer = setTimeout(() => {
      offline ??= why;
      child.kill('SIGKILL');
    }, ms);
  };
  deadline(timeoutMs, `the download did not finish within ${Math.round(timeoutMs / 1000)} s (set DEBLUR_ELECTRON_DOWNLOAD_TIMEOUT_S for a slow link)`);
  const started = Date.now();
  const host = downloadHost();
  const probe = host !== null && !usesProxy() ? probeHost(host, probeTimeoutMs) : Promise.resolve(null);
  void probe.then((why) => {
    if (why === null || child.exitCode !== null || child.signalCode !== null) return;
    deadline(Math.max(0, offlineGraceMs - (Date.now() - started)), `${why}: no network?`);
  });

  const { code, error } = await exited;
  clearTimeout(deadlineTimer);
  if (code === 0 && isElectronInstalled(dir)) return { ok: true, downloaded: true };
  if (offline) return { ok: false, reason: offline };
  // install.js failed on its own (offline it may fail at once); the probe says why when it was the network.
  const installError = error?.message ?? errorLine(stderr) ?? `install.js exited with ${code}`;
  const why = await probe;
  return { ok: false, reason: why === null ? installError : `${installError} (${why}: no network?)` };
}

/** What to tell the user when the binary cannot be had. */
export function explainMissingElectron(reason) {
  return [
    `Cannot start the desktop app: Electron's binary is not installed and downloading it failed: ${reason}.`,
    '  With network access: run "npm start" again (a proxy: ELECTRON_GET_USE_PROXY=1 with HTTPS_PROXY; a mirror: ELECTRON_MIRROR).',
    '  Without network: "npm run web" serves the same app to your browser, no Electron needed; the CLI works too: npx deblur-studio --help',
  ].join('\n');
}
