import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventMessage } from '../../shared/contract';
import { createNodeHost } from '../../host/node-host';
import { startWebHost, type WebHost } from '../../web/server';

export function defaultRendererDir(): string {
  return fileURLToPath(new URL('../../../out/renderer', import.meta.url));
}

/** `deblur-studio web`: the browser host. Runs until interrupted. */
export async function webCommand(opts: { port?: string; root?: string[]; renderer?: string }): Promise<void> {
  // the browser may name only paths inside these folders (and the app's data folder): see src/host/path-policy.ts
  const roots = (opts.root ?? []).map((r) => path.resolve(r));
  for (const root of roots) if (!existsSync(root)) throw new Error(`--root ${root} does not exist`);
  const rendererDir = path.resolve(opts.renderer ?? defaultRendererDir());
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`no built renderer in ${rendererDir}: run "npm run build" first (or use "npm run web", which builds)`);
  }
  let web: WebHost | null = null;
  const pending: EventMessage[] = [];
  const host = createNodeHost({
    browseRoot: roots[0],
    confine: { extraRoots: roots.slice(1) },
    onEvent: (m) => (web ? web.broadcast(m) : pending.push(m)),
  });
  web = await startWebHost({ route: host.route, rendererDir, port: opts.port ? Number(opts.port) : 0, downloads: host.downloads });
  pending.splice(0).forEach((m) => web?.broadcast(m));
  process.stdout.write(`Deblur Studio is running in your browser at:\n\n  ${web.url}\n\n(only this machine can connect; the token in the link is required)\n`);
  const stop = async () => {
    await web?.close();
    await host.supervisor.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
