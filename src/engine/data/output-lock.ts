import { acquireFolderLock, describeHolder } from '../fs/lock';

/** One prepare job per output folder (fs/lock.ts): a second one is refused, a crashed one's lock is taken over. */
export const LOCK_FILE = '.prepare.lock';

export function acquireOutputLock(dir: string): Promise<() => Promise<void>> {
  return acquireFolderLock(dir, {
    file: LOCK_FILE,
    refusal: (holder, file) =>
      `another prepare job (${describeHolder(holder)}) is writing into ${dir}; wait for it to finish or stop it` +
      ` (if it is known to be gone, delete ${file})`,
  });
}
