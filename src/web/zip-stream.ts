import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { Zip, ZipPassThrough } from 'fflate';
import type { ZipEntry } from '../host/download-tickets';

/** ZIP's DOS dates start in 1980; fflate refuses earlier ones. */
const DOS_EPOCH = new Date(1980, 0, 1, 0, 0, 2);

/**
 * Streams `entries` into `out` as one .zip, file by file, stored uncompressed (the deblurred photos are PNG, JPEG or
 * WebP already; deflating them again costs CPU for ~nothing). fflate writes the archive (CRC-32, local and central
 * headers, data descriptors, so nothing is read twice); this only feeds it and waits for `out` to drain, so memory
 * stays at one chunk whatever the folder's size. Ends `out`; rejects on the first read or write error.
 */
export async function writeZip(out: Writable, entries: readonly ZipEntry[]): Promise<void> {
  let failure: Error | null = null;
  const zip = new Zip((err, chunk, final) => {
    if (err) failure = err;
    else {
      out.write(chunk);
      if (final) out.end();
    }
  });
  for (const entry of entries) {
    const file = new ZipPassThrough(entry.name);
    file.mtime = entry.mtime < DOS_EPOCH ? DOS_EPOCH : entry.mtime;
    zip.add(file);
    for await (const chunk of createReadStream(entry.path)) {
      file.push(chunk as Buffer);
      if (failure) throw failure;
      if (out.writableNeedDrain) await drainedOrClosed(out);
      if (out.destroyed) throw new Error('the download was closed before it finished');
    }
    file.push(new Uint8Array(0), true);
  }
  zip.end();
  if (failure) throw failure;
}

/** Resolves when `out` can take more, or has closed (a client gone away); leaves no listener behind. */
function drainedOrClosed(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
