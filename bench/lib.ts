/**
 * Small helpers shared by the benchmarks in bench/ (machine description, median, the Python reference's JSON line).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';

/** Debian's Python, which has the field references (cv2, skimage, torch) installed from apt. */
export const PYTHON = '/usr/bin/python3';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** "AMD EPYC …, 2 cores, 24 GiB RAM, Debian GNU/Linux 12 (bookworm), Node v20…": CPU model from lscpu when it is there. */
export function machine(): string {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  let distro = `${os.type()} ${os.release()}`;
  try {
    cpu = execFileSync('lscpu', { encoding: 'utf8' }).match(/Model name:\s*(.+)/)?.[1]?.trim() ?? cpu;
  } catch {
    // lscpu is optional
  }
  try {
    distro = execFileSync('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"'], { encoding: 'utf8' }).trim() || distro;
  } catch {
    // keep os.type()
  }
  return `${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${distro}, Node ${process.version}`;
}

/**
 * Runs a Python script and parses the last line of its stdout as JSON. A script that cannot run prints
 * {"skipped": reason}; a failure (non-zero exit) becomes {"skipped": last line of stderr} as well.
 */
export function runPython<T extends object>(args: string[], cwd?: string): T | { skipped: string } {
  const r = spawnSync(PYTHON, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.error) return { skipped: `${PYTHON}: ${r.error.message}` };
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    return { skipped: `${args[0]} failed (exit ${r.status}): ${r.stderr.trim().split('\n').pop() ?? ''}` };
  }
  return JSON.parse(last) as T | { skipped: string };
}
