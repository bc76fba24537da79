import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * One writer per output folder: a lock file holding the writer's pid. A lock left by a killed
 * process (pid no longer alive) is taken over, so a crashed prepare can simply be run again.
 */
export const LOCK_FILE = '.prepare.lock';
const heldInThisProcess = new Set<string>();

export async function acquireOutputLock(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  if (heldInThisProcess.has(file)) throw new Error(`another prepare job is already writing into ${dir}`);
  heldInThisProcess.add(file);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.writeFile(file, String(process.pid), { flag: 'wx' });
        return async () => {
          heldInThisProcess.delete(file);
          await fs.rm(file, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
          throw new Error(`another process (pid ${pid}) is writing into ${dir}; wait for it to finish or stop it`);
        }
        await fs.rm(file, { force: true }); // stale: its writer is gone
      }
    }
    throw new Error(`cannot lock ${dir}: the lock file keeps reappearing`);
  } catch (err) {
    heldInThisProcess.delete(file);
    throw err;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
