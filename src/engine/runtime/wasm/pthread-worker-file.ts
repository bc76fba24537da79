/**
 * The pthread worker of the threaded wasm build as a file. tfjs hands emscripten the worker as a
 * blob: URL, which Node's worker_threads cannot start, so Node gets a real file instead, written
 * once into the temp folder (content-addressed, so concurrent processes agree on it).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomicSync } from '../../fs/atomic';

export function pthreadWorkerFile(workerSource: string): string {
  // The source is shipped inside a JS string literal; its "\n" escapes became real newlines there,
  // which would break the string literals of the worker (tfjs does the same re-escaping).
  const source = workerSource.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `deblur-studio-tfjs-wasm-pthread-${hash}.cjs`);
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === source) return file;
  writeFileAtomicSync(file, source);
  return file;
}
