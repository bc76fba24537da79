/**
 * Hostile environment: a fresh install without Electron's binary (electron 45 fetches it on first use) on a
 * machine with no network, or with a download that never finishes; a build that fails.
 * Fault injected: the scripts run in a copy of the project whose electron package's install.js fails like
 * @electron/get offline, hangs, or succeeds, and whose electron-vite prints 70 lines or fails.
 * What must hold: `npm start` (scripts/start.mjs) stops with a message that says why and offers `npm run web`,
 * without a stack trace and before building; a hung download is cut off; a fetched binary goes on to preview.
 * `npm run web` (scripts/web.mjs) shows the host's link without the build's output, and the log when it fails.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let root: string;
const electronDir = () => path.join(root, 'node_modules', 'electron');

const FAKE_INSTALL = `
const fs = require('fs');
const path = require('path');
const mode = process.env.FAKE_INSTALL;
if (mode === 'offline') {
  console.error('TypeError: fetch failed\\n    at node:internal/deps/undici/undici:14976:13\\n    at async FetchDownloader.download (FetchDownloader.js:46:30)');
  process.exit(1);
} else if (mode === 'hang') {
  setInterval(() => undefined, 1000);
} else {
  fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'dist', 'electron'), '');
  fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron');
}
`;

const FAKE_ELECTRON_VITE = `
for (let i = 1; i <= 70; i++) console.log('vite build line ' + i);
if (process.argv[2] === 'preview') console.log('PREVIEW STARTED');
if (process.env.FAKE_BUILD === 'fail') { console.error('error: the renderer does not compile'); process.exit(2); }
`;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'start-scripts-'));
  await mkdir(path.join(root, 'scripts'));
  for (const f of ['start.mjs', 'web.mjs', 'electron-binary.mjs']) await copyFile(path.resolve('scripts', f), path.join(root, 'scripts', f));
  await mkdir(electronDir(), { recursive: true });
  await writeFile(path.join(electronDir(), 'package.json'), JSON.stringify({ name: 'electron', version: '45.0.0-test', main: 'index.js' }));
  await writeFile(path.join(electronDir(), 'install.js'), FAKE_INSTALL);
  const vite = path.join(root, 'node_modules', 'electron-vite');
  await mkdir(path.join(vite, 'bin'), { recursive: true });
  await mkdir(path.join(vite, 'dist'));
  await writeFile(path.join(vite, 'package.json'), JSON.stringify({ name: 'electron-vite', exports: { '.': './dist/index.js' }, bin: { 'electron-vite': 'bin/electron-vite.js' } }));
  await writeFile(path.join(vite, 'dist', 'index.js'), '');
  await writeFile(path.join(vite, 'bin', 'electron-vite.js'), FAKE_ELECTRON_VITE);
  await mkdir(path.join(root, 'bin'));
  await writeFile(path.join(root, 'bin', 'deblur-studio.mjs'), "console.log('LINK ' + process.argv.slice(2).join(' '));\n");
});
afterAll(() => rm(root, { recursive: true, force: true }));

function runScript(script: string, env: Record<string, string>, args: string[] = []): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts', script), ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

const removeBinary = () => rm(path.join(electronDir(), 'path.txt'), { force: true });
// A host that never resolves (RFC 6761), so the offline path is taken with or without a network.
const OFFLINE = { ELECTRON_MIRROR: 'https://electron-mirror.invalid/', HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '' };

describe('npm start without Electron binary', () => {
  it('offline: stops before building, says why, offers npm run web, shows no stack trace', async () => {
    await removeBinary();
    const r = await runScript('start.mjs', { ...OFFLINE, FAKE_INSTALL: 'offline' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Electron's binary is not installed and downloading it failed: TypeError: fetch failed \(cannot resolve electron-mirror\.invalid/);
    expect(r.stderr).toMatch(/"npm run web" serves the same app to your browser/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).not.toMatch(/vite build line|PREVIEW/);
  });

  it('a download that hangs while the host does not resolve is cut off', async () => {
    await removeBinary();
    const r = await runScript('start.mjs', { ...OFFLINE, FAKE_INSTALL: 'hang' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/downloading it failed: cannot resolve electron-mirror\.invalid \([^)]+\): no network\?/);
    expect(r.stdout).not.toMatch(/PREVIEW/);
  });

  it('a download that hangs behind a proxy (no DNS probe) ends at the time limit', async () => {
    await removeBinary();
    const r = await runScript('start.mjs', { HTTPS_PROXY: 'http://127.0.0.1:9', FAKE_INSTALL: 'hang', DEBLUR_ELECTRON_DOWNLOAD_TIMEOUT_S: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the download did not finish within 1 s \(set DEBLUR_ELECTRON_DOWNLOAD_TIMEOUT_S/);
  });

  it('fetches the binary with electron\'s install.js, then builds and previews', async () => {
    await removeBinary();
    const r = await runScript('start.mjs', { FAKE_INSTALL: 'ok', HTTPS_PROXY: 'http://127.0.0.1:9' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/binary is not downloaded yet/);
    expect(existsSync(path.join(electronDir(), 'path.txt'))).toBe(true);
    expect(r.stdout).toMatch(/PREVIEW STARTED/);
    const again = await runScript('start.mjs', { FAKE_INSTALL: 'offline' });
    expect(again.status).toBe(0);
    expect(again.stderr).not.toMatch(/not downloaded/);
  });
});

describe('npm run web', () => {
  it('prints the link without the build output', async () => {
    const r = await runScript('web.mjs', {}, ['--port', '8123']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('building the app… done\n\nLINK web --port 8123\n');
  });

  it('shows the end of the build log when the build fails', async () => {
    const r = await runScript('web.mjs', { FAKE_BUILD: 'fail' });
    expect(r.status).toBe(1);
    expect(r.stdout).not.toMatch(/LINK/);
    expect(r.stderr).toMatch(/the build failed \(exit 2\); the last 60 lines of .*web-build\.log:/);
    expect(r.stderr).toMatch(/error: the renderer does not compile/);
    expect(r.stderr).not.toMatch(/vite build line 11\n/);
    expect(r.stderr).toMatch(/vite build line 12\n/);
  });
});
