import type { FileHandle } from 'node:fs/promises';

/**
 * The one place file contents are written by atomic writes and deblur outputs. Tests replace
 * `write` to inject faults (a disk that fills up mid-write) without filling a real disk.
 */
export const writeSeam = {
  write: (handle: FileHandle, data: string | Uint8Array): Promise<void> => handle.writeFile(data),
};
