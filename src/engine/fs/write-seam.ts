import type { FileHandle } from 'node:fs/promises';

/**
 * The one place file contents are written by atomic writes and deblur outputs. Tests replace
 * `write` to inject faults (a disk that fills up mid-write) without filling a real disk.
 */
export const writeSeam = {
  /** `file` is the path being written (a temp name), so a fault can hit some files only */
  write: (handle: FileHandle, data: string | Uint8Array, _file: string): Promise<void> => handle.writeFile(data),
};
