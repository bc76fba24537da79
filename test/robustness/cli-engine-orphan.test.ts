/**
 * Hostile input: none; the fault injected is the CLI itself dying by SIGKILL (no exit handler runs) mid-job,
 * now that the engine child runs in its own process group (so a terminal's Ctrl-C does not reach it).
 * What must hold: the engine does not outlive its host; it notices the closed IPC channel and exits.
 */
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('bin/deblur-studio.mjs');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(pred: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.runIf(process.platform === 'linux')('engine child of a killed CLI', () => {
  it('exits when the CLI is SIGKILLed mid-job', async () => {
    const cli = spawn(process.execPath, [bin, 'selftest', '--size', '256', '--steps', '10000'], { cwd: tmpdir(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    cli.stderr.on('data', (d) => (stderr += String(d)));
    await until(() => /% ETA/.test(stderr) || cli.exitCode !== null, 'the first progress line');
    expect(cli.exitCode, stderr).toBeNull();
    const children = execFileSync('ps', ['-o', 'pid=,pgid=', '--ppid', String(cli.pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number));
    expect(children).toHaveLength(1);
    const [engine, engineGroup] = children[0]!;
    expect(engineGroup, 'the engine runs in a process group of its own').toBe(engine);
    cli.kill('SIGKILL');
    await until(() => !alive(engine!), `engine ${engine} to exit`);
    expect(alive(engine!)).toBe(false);
  });
});
