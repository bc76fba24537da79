#!/usr/bin/env node
// `npm test`: type-check, build the bundles the e2e tests open, run every vitest suite (unit, integration, e2e),
// and end with one line of counts. Every step runs even if an earlier one failed, so one run shows everything.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const report = path.join(root, 'test/.tmp/vitest-report.json');
const failures = [];

function step(name, cmd, args) {
  process.stdout.write(`\n▶ ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) failures.push(`${name} (exit ${r.status ?? r.signal})`);
}

const bin = (name) => path.join(root, 'node_modules/.bin', name);
const extra = process.argv.slice(2);
step('type-check (tsc)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
step('type-check (svelte-check)', bin('svelte-check'), ['--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human']);
step('build', bin('electron-vite'), ['build']);
mkdirSync(path.dirname(report), { recursive: true });
rmSync(report, { force: true });
step('tests (vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra]);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = r.numFailedTests ?? 0;
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // a test file that fails to load has no failed test of its own: count the file
  if (failed === 0 && failures.some((f) => f.startsWith('tests'))) failed = Math.max(1, r.numFailedTestSuites ?? 0);
} else if (failures.some((f) => f.startsWith('tests'))) {
  failed = 1;
}
failed += failures.filter((f) => !f.startsWith('tests')).length;
if (failures.length) process.stdout.write(`\nfailed steps: ${failures.join(', ')}\n`);
process.stdout.write(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failures.length || failed ? 1 : 0);
