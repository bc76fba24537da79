#!/usr/bin/env node
// `npm start`: makes sure Electron's binary is there (fetching it once, see electron-binary.mjs), then builds
// and opens the desktop app with electron-vite's preview. Without the binary and no way to fetch it, it stops
// within seconds and points at `npm run web`, before spending a build.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ensureElectronBinary, explainMissingElectron } from './electron-binary.mjs';

const binary = await ensureElectronBinary();
if (!binary.ok) {
  process.stderr.write(`${explainMissingElectron(binary.reason)}\n`);
  process.exit(1);
}
const electronVite = fileURLToPath(new URL('../bin/electron-vite.js', import.meta.resolve('electron-vite')));
const child = spawn(process.execPath, [electronVite, 'preview', ...process.argv.slice(2)], { stdio: 'inherit' });
// A terminal's Ctrl-C reaches electron-vite too; wait for it to close the app and report its status.
process.on('SIGINT', () => undefined);
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
