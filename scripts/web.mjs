#!/usr/bin/env node
// `npm run web`: builds the app quietly (electron-vite's output goes to a log file, shown only when the build
// fails), then starts the browser host in this process, so its link is the first thing on the screen.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const logFile = path.join(root, 'node_modules', '.cache', 'deblur-studio', 'web-build.log');
const LOG_LINES_SHOWN = 60;

mkdirSync(path.dirname(logFile), { recursive: true });
process.stdout.write('building the app… ');
const log = openSync(logFile, 'w');
const electronVite = fileURLToPath(new URL('../bin/electron-vite.js', import.meta.resolve('electron-vite')));
const status = await new Promise((resolve) => {
  const child = spawn(process.execPath, [electronVite, 'build'], { cwd: root, stdio: ['ignore', log, log] });
  child.on('error', (err) => resolve(`could not run electron-vite (${err.message})`));
  child.on('exit', (code, signal) => resolve(code === 0 ? 0 : `exit ${code ?? signal}`));
});
closeSync(log);
if (status !== 0) {
  const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
  process.stdout.write('failed\n');
  process.stderr.write(`the build failed (${status}); the last ${Math.min(LOG_LINES_SHOWN, lines.length)} lines of ${logFile}:\n${lines.slice(-LOG_LINES_SHOWN).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('done\n\n');

// The CLI's `web` command with any arguments given to this script (npm run web -- --port 8080).
const cli = path.join(root, 'bin', 'deblur-studio.mjs');
process.argv = [process.argv[0], cli, 'web', ...process.argv.slice(2)];
await import(pathToFileURL(cli).href);
