/**
 * Ctrl-C in a real terminal: the CLI runs under a pseudo-terminal (Python's pty), and the test types \x03 into
 * it, so the terminal driver sends SIGINT to the whole foreground process group, as a user's terminal does
 * (signalling only the CLI's PID would miss the engine child). A real tiny training must save a checkpoint,
 * exit 130, and `train --resume` must continue at the saved step.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointState } from '../../src/engine/train/checkpoint';
import { makeTileDataset } from './train-helpers';

const PYTHON = '/usr/bin/python3';
const bin = path.resolve('bin/deblur-studio.mjs');

// Runs a command on a new pty; types Ctrl-C once the output matches a pattern; prints the output, then the exit status.
const DRIVER = `
import os, pty, re, select, sys, time
pattern = re.compile(sys.argv[1].encode())
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
out = b''; sent = False; deadline = time.time() + 240
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    if not sent and pattern.search(out):
        os.write(fd, b'\\x03')
        sent = True
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.stdout.write('\\n@@exit %d sent %s\\n' % (os.waitstatus_to_exitcode(status), sent))
`;

let dir: string;
let prepared: string;
let driver: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-ctrl-c-'));
  prepared = await makeTileDataset(dir, { count: 8, levels: [11] });
  driver = path.join(dir, 'pty-driver.py');
  await writeFile(driver, DRIVER);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the CLI on a pty, presses Ctrl-C when `when` matches its output; resolves with the output and exit status. */
function underTerminal(when: RegExp, args: string[]): Promise<{ output: string; status: number; sent: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [driver, when.source, process.execPath, bin, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.on('error', reject);
    child.on('exit', () => {
      const m = /@@exit (-?\d+) sent (True|False)\s*$/.exec(out);
      if (!m) return reject(new Error(`the pty driver did not report an exit status:\n${out}`));
      resolve({ output: out.slice(0, m.index).replace(/\r/g, '\n'), status: Number(m[1]), sent: m[2] === 'True' });
    });
  });
}

/**
 * Matches the progress line of any step from `first` to the last but one: the bar is redrawn at most a few times a
 * second, so which steps it shows depends on the machine's speed (one CI rehearsal showed steps 5, 7, 9 … and never
 * the step 6 the test waited for, so Ctrl-C was never typed and the run trained to its end).
 */
const stepFrom = (first: number, of = 400) => new RegExp(`step (?:${Array.from({ length: of - first }, (_, i) => first + i).join('|')})/${of}\\b`);

describe('Ctrl-C in a terminal', () => {
  it('saves a checkpoint before the first scheduled one, exits 130, and --resume continues at the saved step', async () => {
    const runDir = path.join(dir, 'runs', 'first');
    // 400 steps with validation (and its checkpoint) only at the end: any checkpoint on disk comes from the Ctrl-C.
    const train = ['train', prepared, '--run', 'first', '--runs-dir', 'runs', '--batch', '2', '--patch', '16', '--epochs', '1', '--steps-per-epoch', '400'];
    const first = await underTerminal(stepFrom(2), train);
    expect(first.sent, first.output).toBe(true);
    expect(first.output).not.toMatch(/engine process exited/);
    expect(first.output).toMatch(/cancelling after saving a checkpoint/);
    const stopped = /stopped at step (\d+)/.exec(first.output);
    expect(stopped, first.output).not.toBeNull();
    expect(first.status, first.output).toBe(130);
    const saved = (await readCheckpointState(path.join(runDir, 'checkpoints', 'last'))).step;
    expect(saved).toBe(Number(stopped![1]));
    expect(saved).toBeGreaterThanOrEqual(2);

    const resumed = await underTerminal(stepFrom(saved + 2), ['train', '--resume', runDir]);
    expect(resumed.output).toMatch(new RegExp(`continuing at step ${saved}/400`));
    expect(resumed.status, resumed.output).toBe(130);
    expect((await readCheckpointState(path.join(runDir, 'checkpoints', 'last'))).step).toBeGreaterThanOrEqual(saved + 2);
  });
});
