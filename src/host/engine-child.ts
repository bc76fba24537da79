import { fork } from 'node:child_process';
import { pipeWithoutNoise } from './native-noise';

/** What the supervisor needs from an engine process, whichever API started it (child_process or Electron). */
export interface EngineChild {
  readonly pid: number | null;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(signal?: NodeJS.Signals): void;
}

export type SpawnEngine = () => EngineChild;

export interface ForkOptions {
  /** the engine entry: the built bundle (out/main/engine.js) or the TypeScript source run through tsx */
  entry: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts the engine with child_process.fork (browser host, CLI, tests). */
export function forkEngine({ entry, env }: ForkOptions): EngineChild {
  // tsx is resolved from this module, not from the working directory, so the CLI works from any folder.
  const execArgv = entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
  // Own process group on POSIX: a terminal's Ctrl-C signals the whole foreground group, and the engine must
  // outlive that SIGINT long enough to save (the host cancels the job and stops the engine when done).
  // It still cannot outlive its host: it exits when the IPC channel closes (process/entry.ts), and the
  // supervisor kills it on exit.
  const detached = process.platform !== 'win32';
  const child = fork(entry, [], { execArgv, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'pipe', 'ipc'], detached });
  if (child.stderr) pipeWithoutNoise(child.stderr, process.stderr);
  return {
    get pid() {
      return child.pid ?? null;
    },
    send: (m) => {
      if (child.connected) child.send(m as object);
    },
    onMessage: (l) => child.on('message', l),
    onExit: (l) => child.on('exit', (code, signal) => l(code, signal)),
    kill: (signal = 'SIGTERM') => {
      child.kill(signal);
    },
  };
}
