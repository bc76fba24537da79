/**
 * The engine process's one link to its supervisor. Two kinds of parent exist: Electron's utilityProcess
 * (process.parentPort, messages wrapped in { data }) and Node's child_process.fork (process.send/on('message')).
 */
export interface ParentPort {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called when the parent goes away, so the engine never outlives it. */
  onDisconnect(listener: () => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

export function connectToParent(): ParentPort {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      send: (m) => electronPort.postMessage(m),
      onMessage: (l) => electronPort.on('message', (e) => l(e.data)),
      // utilityProcess children are killed by Electron when the app quits; nothing to watch here.
      onDisconnect: () => {},
    };
  }
  if (typeof process.send === 'function') {
    return {
      send: (m) => process.send?.(m),
      onMessage: (l) => process.on('message', l),
      onDisconnect: (l) => process.on('disconnect', l),
    };
  }
  throw new Error('the engine must be started by a supervisor (no IPC channel to a parent process)');
}
