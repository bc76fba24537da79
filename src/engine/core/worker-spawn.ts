import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread from a module next to the caller, both when running from TypeScript
 * sources (tsx, vitest) and from a build:
 *  - built: `<name>.js` next to the calling module, or one folder up (bundlers put shared code in a
 *    chunks/ folder below the entries), is started directly; the build must emit the worker as its
 *    own entry, e.g. `out/main/loader-worker.js` beside `out/main/engine.js`;
 *  - sources: `<name>.ts` is started through a tiny eval'd bootstrap that first registers tsx's
 *    loader inside the worker (a worker does not inherit the parent's `--import tsx` hooks on every
 *    Node version, and Node 20 cannot run .ts itself), then imports the module.
 * The worker gets no workerData: it receives everything through messages.
 */
export function spawnModuleWorker(callerUrl: string, name: string): Worker {
  // A bundler may put the caller into a chunks/ folder below the entries: look there and one level up.
  for (const candidate of [`./${name}.js`, `../${name}.js`]) {
    const js = new URL(candidate, callerUrl);
    if (existsSync(fileURLToPath(js))) return new Worker(js);
  }
  const ts = new URL(`./${name}.ts`, callerUrl);
  if (!existsSync(fileURLToPath(ts))) {
    throw new Error(`cannot find the worker module ${name}.js (or ${name}.ts) next to ${callerUrl} or one folder up; the build must emit ${name}.js as its own entry`);
  }
  const tsxApi = tsxEsmApiUrl(callerUrl);
  const bootstrap = `
    const { workerData } = require('node:worker_threads');
    (async () => {
      const api = await import(workerData.tsxApi);
      (api.register ?? api.default.register)();
      await import(workerData.entry);
    })().catch((err) => { setImmediate(() => { throw err; }); });
  `;
  return new Worker(bootstrap, { eval: true, workerData: { tsxApi, entry: ts.href } });
}

/**
 * URL of tsx's ESM API (`tsx/esm/api`, import condition). Resolved through tsx's own exports map:
 * require.resolve would pick the CommonJS build, which cannot be imported from an eval'd worker.
 */
function tsxEsmApiUrl(callerUrl: string): string {
  const pkgFile = createRequire(callerUrl).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports?: Record<string, { import?: { default?: string } | string }> };
  const entry = pkg.exports?.['./esm/api']?.import;
  const rel = typeof entry === 'string' ? entry : entry?.default;
  if (!rel) throw new Error(`cannot find tsx's ESM API in ${pkgFile}; running workers from TypeScript sources needs tsx`);
  return pathToFileURL(path.join(path.dirname(pkgFile), rel)).href;
}
