import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('bin/deblur-studio.mjs');
// From a folder outside the repo: the CLI must not depend on the working directory.
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, cwd: tmpdir() });

describe('deblur-studio CLI', () => {
  it('info prints the runtime chain with reasons and the running backend', () => {
    const r = run('info');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/TensorFlow\.js \d+\.\d+\.\d+ — running on: (webgpu|wasm|cpu|tensorflow|tensorflow-gpu)/);
    expect(r.stdout).toMatch(/tensorflow-gpu\s+(runs|unavailable: .+)/);
    expect(r.stdout).toMatch(/✔ (webgpu|wasm|cpu|tensorflow|tensorflow-gpu)/);
  });

  it('info --json is the contract runtime report', () => {
    const r = run('info', '--json');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.attempts.map((a: { backend: string }) => a.backend)[0]).toBe('tensorflow-gpu');
  });

  it('selftest runs a real job with plain progress lines when not on a terminal', () => {
    const r = run('selftest', '--size', '16', '--steps', '3');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 steps of 16×16 matmul on \w+/);
    expect(r.stderr).toMatch(/100\.0% ETA/);
  });

  it('exits non-zero with a clear message on failure', () => {
    const r = run('selftest', '--steps', '-4');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/deblur-studio: --steps: /);
    const unknown = run('frobnicate');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command/);
  });
});
