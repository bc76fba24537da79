/**
 * Hostile input: WebSocket frames a browser host cannot answer — a text frame above the 8 MiB payload limit,
 * a binary frame, a text frame that is not UTF-8, one that is not JSON, JSON without a readable request id —
 * and requests whose id is fine but whose kind, method or params are wrong.
 * Fault injected: each frame is sent by one client while a second client is connected and a job (a paused
 * selftest in the real engine) is running.
 * What must hold: the sender's socket alone closes, with a close code that says why (1009, 1003, 1007, 1008);
 * the host process survives, the second client keeps working and the job is still there; every reply to a
 * request with a readable id carries that id.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createNodeHost } from '../../src/host/node-host';
import { startWebHost, type WebHost } from '../../src/web/server';
import { MAX_MESSAGE_BYTES } from '../../src/shared/contract';

describe('browser host under hostile WebSocket frames', () => {
  let tmp: string;
  let web: WebHost;
  let host: ReturnType<typeof createNodeHost>;
  let watcher: WebSocket;
  let jobId: string;

  const connect = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${web.port}/api?token=${encodeURIComponent(web.token)}`);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  /** Resolves with the close code the server sent (the client may also see a write error while being cut off). */
  const closeCode = (ws: WebSocket) =>
    new Promise<number>((resolve) => {
      ws.on('error', () => {});
      ws.once('close', (code) => resolve(code));
    });
  /** Sends one frame and resolves with the next reply (events broadcast to every client are skipped). */
  const send = (ws: WebSocket, frame: unknown) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const onMessage = (data: WebSocket.RawData) => {
        const msg = JSON.parse(data.toString()) as Record<string, unknown>;
        if (msg.kind !== 'reply') return;
        ws.off('message', onMessage);
        resolve(msg);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify(frame));
    });
  let counter = 0;
  const call = async (ws: WebSocket, method: string, params: unknown) => {
    const id = `w${++counter}`;
    const reply = await send(ws, { kind: 'request', id, method, params });
    expect(reply.id).toBe(id);
    return reply;
  };

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'ws-frames-'));
    host = createNodeHost({ settingsFile: path.join(tmp, 'settings.json'), onEvent: (m) => web?.broadcast(m) });
    web = await startWebHost({ route: host.route, rendererDir: tmp });
    watcher = await connect();
    watcher.on('message', () => {}); // events are broadcast to every client; only replies matter below
    const started = await call(watcher, 'job.start', { type: 'selftest', params: { size: 16, steps: 10_000 } });
    jobId = (started.result as { jobId: string }).jobId;
    await call(watcher, 'job.pause', { jobId });
  });
  afterAll(async () => {
    watcher?.close();
    await web?.close();
    await host?.supervisor.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  /** The host still answers the other client, and the job it runs is still there. */
  async function hostStillWorks(): Promise<void> {
    expect(watcher.readyState).toBe(WebSocket.OPEN);
    const active = await call(watcher, 'jobs.active', {});
    expect(active).toMatchObject({ ok: true });
    expect((active.result as { jobs: Array<{ jobId: string }> }).jobs.map((j) => j.jobId)).toContain(jobId);
  }

  it('closes the sender of a frame above the payload limit with 1009, and only it', async () => {
    const ws = await connect();
    const closed = closeCode(ws);
    ws.send(JSON.stringify({ kind: 'request', id: 'big', method: 'settings.set', params: { theme: 'x'.repeat(MAX_MESSAGE_BYTES + 1024) } }));
    expect(await closed).toBe(1009);
    await hostStillWorks();
  });

  it('closes the sender of a binary frame with 1003', async () => {
    const ws = await connect();
    const closed = closeCode(ws);
    ws.send(Buffer.from(JSON.stringify({ kind: 'request', id: 'b1', method: 'jobs.active', params: {} })), { binary: true });
    expect(await closed).toBe(1003);
    await hostStillWorks();
  });

  it('closes the sender of a text frame that is not UTF-8 with 1007', async () => {
    const ws = await connect();
    const closed = closeCode(ws);
    ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await closed).toBe(1007);
    await hostStillWorks();
  });

  it('closes the sender of a frame that is not JSON with 1007', async () => {
    const ws = await connect();
    const closed = closeCode(ws);
    ws.send('{"kind": "request", "id": "x",');
    expect(await closed).toBe(1007);
    await hostStillWorks();
  });

  it('closes the sender of JSON without a readable id with 1008', async () => {
    for (const frame of [[1, 2], 'text', { kind: 'request', method: 'jobs.active', params: {} }, { kind: 'request', id: 'x'.repeat(65), method: 'jobs.active' }]) {
      const ws = await connect();
      const closed = closeCode(ws);
      ws.send(JSON.stringify(frame));
      expect(await closed).toBe(1008);
    }
    await hostStillWorks();
  });

  it('answers a bad request that has a readable id with that id', async () => {
    const ws = await connect();
    expect(await send(ws, { kind: 'request', id: 'm1', method: 'no.such.method', params: {} })).toMatchObject({
      id: 'm1',
      ok: false,
      error: { code: 'invalid_payload', field: 'method' },
    });
    expect(await send(ws, { id: 'k1', method: 'jobs.active', params: {} })).toMatchObject({ id: 'k1', ok: false, error: { field: 'kind' } });
    expect(await send(ws, { kind: 'request', id: 'p1', method: 'image.preview' })).toMatchObject({
      id: 'p1',
      ok: false,
      error: { code: 'invalid_payload', field: 'params' },
    });
    // the engine validates again: a request it refuses still comes back with its id
    expect(await send(ws, { kind: 'request', id: 'j1', method: 'job.cancel', params: { jobId: 'no-such-job' } })).toMatchObject({ id: 'j1', ok: false });
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
    await hostStillWorks();
  });
});
