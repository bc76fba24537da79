import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createRouter } from '../../src/host/router';
import { FileSettingsStore } from '../../src/host/settings-store';
import { listFolder } from '../../src/host/folder-browser';
import { startWebHost, type WebHost } from '../../src/web/server';
import type { EngineSupervisor } from '../../src/host/supervisor';

/** The browser host's security: loopback only, token required, static files confined to the renderer folder. */
describe('browser host', () => {
  let host: WebHost;
  let root: string;
  const engineCalls: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'webhost-'));
    const renderer = path.join(root, 'renderer');
    await mkdir(path.join(root, 'browse', 'photos'), { recursive: true });
    await mkdir(renderer);
    await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(path.join(root, 'secret.txt'), 'secret');
    const fakeSupervisor = {
      status: () => ({ state: 'ready', message: 'ok', pid: 1, restarts: 0 }),
      request: async (method: string) => {
        engineCalls.push(method);
        return { jobs: [] };
      },
    } as unknown as EngineSupervisor;
    const route = createRouter(fakeSupervisor, {
      settings: new FileSettingsStore(path.join(root, 'settings.json')),
      openFolder: async () => null,
      openFile: async () => null,
      listFolder: (dir) => listFolder(path.join(root, 'browse'), dir),
    });
    host = await startWebHost({ route, rendererDir: renderer });
  });
  afterAll(() => host.close());

  const connect = (token: string | null, origin?: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const url = `ws://127.0.0.1:${host.port}/api${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
      const ws = new WebSocket(url, origin ? { origin } : {});
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  const call = (ws: WebSocket, method: string, params: unknown) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = Math.random().toString(36).slice(2);
      const onMsg = (data: WebSocket.RawData) => {
        const msg = JSON.parse(data.toString());
        if (msg.id === id) {
          ws.off('message', onMsg);
          resolve(msg);
        }
      };
      ws.on('message', onMsg);
      ws.send(JSON.stringify({ kind: 'request', id, method, params }));
    });

  it('listens on 127.0.0.1 only', () => {
    const addr = host.server.address();
    expect(addr).toMatchObject({ address: '127.0.0.1' });
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
  });

  it('refuses a WebSocket without the token, with a wrong one, or from another origin', async () => {
    await expect(connect(null)).rejects.toThrow('HTTP 401');
    await expect(connect('wrong')).rejects.toThrow('HTTP 401');
    await expect(connect(host.token, 'http://evil.example')).rejects.toThrow('HTTP 401');
  });

  it('speaks the contract with the token: host methods, engine methods, validation errors', async () => {
    const ws = await connect(host.token, `http://127.0.0.1:${host.port}`);
    expect(await call(ws, 'settings.set', { theme: 'dark' })).toMatchObject({ ok: true, result: { theme: 'dark' } });
    expect(await call(ws, 'jobs.active', {})).toMatchObject({ ok: true, result: { jobs: [] } });
    expect(engineCalls).toEqual(['jobs.active']);
    expect(await call(ws, 'job.start', { type: 'prepare', params: { source: 'rel', output: '/o' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', field: 'params.params.source' },
    });
    expect(engineCalls).toEqual(['jobs.active']);
    ws.send('not json');
    ws.close();
  });

  it('confines the folder browser to its root', async () => {
    const ws = await connect(host.token);
    const listing = await call(ws, 'fs.list', {});
    expect(listing).toMatchObject({ ok: true, result: { parent: null, entries: [{ name: 'photos', kind: 'dir' }] } });
    expect(await call(ws, 'fs.list', { dir: root })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    ws.close();
  });

  it('serves the renderer with a strict CSP and nothing outside it', async () => {
    const res = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const traversal = await fetch(`http://127.0.0.1:${host.port}/..%2Fsecret.txt`);
    expect(traversal.status).toBe(404);
    const post = await fetch(`http://127.0.0.1:${host.port}/`, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});
