import { utilityProcess } from 'electron';
import type { EngineChild } from '../host/engine-child';

/** Starts the engine bundle (out/main/engine.js) as an Electron utility process: a Node process Electron supervises. */
export function spawnUtilityEngine(entry: string): EngineChild {
  const child = utilityProcess.fork(entry, [], { serviceName: 'Deblur Studio engine', stdio: 'inherit' });
  const exitListeners: Array<(code: number | null, signal: string | null) => void> = [];
  child.on('exit', (code) => exitListeners.forEach((l) => l(code, null)));
  return {
    get pid() {
      return child.pid ?? null;
    },
    send: (m) => child.postMessage(m),
    onMessage: (l) => child.on('message', l),
    onExit: (l) => exitListeners.push(l),
    kill: () => {
      child.kill();
    },
  };
}
