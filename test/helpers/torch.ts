import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Python, where python3-torch installs PyTorch (CI installs it: .ci/run). */
export const PYTHON = '/usr/bin/python3';
export const TORCHRUN = '/usr/bin/torchrun';

/** Why the PyTorch tests cannot run here, or null when they can. */
export function torchMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? null : `PyTorch is not importable by ${PYTHON} (apt-get install python3-torch): ${r.stderr.trim().split('\n').pop()}`;
}

/** Runs Python code with the given arguments; throws with its stderr when it fails. */
export function runPython(code: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', cwd: opts.cwd, env: { ...process.env, OMP_NUM_THREADS: '1', ...opts.env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}
