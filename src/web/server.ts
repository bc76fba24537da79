import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { answerRequest, MAX_MESSAGE_BYTES, parseFrame, readRequestId, type EventMessage } from '../shared/contract';
import type { Router } from '../host/router';
import type { DownloadTickets } from '../host/download-tickets';
import { DOWNLOAD_PATH, serveDownload } from './downloads';
import { readStatic } from './static-files';

/** The same CSP as the Electron app's index.html, plus the WebSocket back to this host. */
export const WEB_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/** WebSocket close codes (RFC 6455 §7.4.1) this host sends; ws itself sends 1009 (too big) and 1007 (invalid UTF-8). */
export const CLOSE_INVALID_DATA = 1007;
export const CLOSE_POLICY = 1008;
export const CLOSE_UNSUPPORTED_DATA = 1003;

export interface WebHostOptions {
  route: Router;
  rendererDir: string;
  port?: number;
  /** fixed token for tests; random by default */
  token?: string;
  /** serves GET /download?ticket=… (src/web/downloads.ts) */
  downloads?: DownloadTickets;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  broadcast(message: EventMessage): void;
  close(): Promise<void>;
  server: Server;
}

function tokenMatches(expected: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The browser host: serves the built renderer and speaks the contract over a WebSocket on 127.0.0.1 only.
 * A random token (in the URL fragment, so it never reaches logs or Referer headers) guards the socket.
 */
export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const clients = new Set<WebSocket>();

  const server = createServer((req, res) => {
    const headers = { 'Content-Security-Policy': WEB_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' };
    if (req.method !== 'GET') {
      res.writeHead(405, headers).end();
      return;
    }
    if (opts.downloads && req.url?.split('?')[0] === DOWNLOAD_PATH) {
      serveDownload(req, res, opts.downloads, headers).catch(() => (res.headersSent ? res.destroy() : res.writeHead(500, headers).end()));
      return;
    }
    readStatic(opts.rendererDir, req.url ?? '/')
      .then((file) => {
        if (!file) res.writeHead(404, headers).end('not found');
        else res.writeHead(200, { ...headers, 'Content-Type': file.type }).end(file.body);
      })
      .catch(() => res.writeHead(500, headers).end());
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  wss.on('error', (err) => process.stderr.write(`deblur-studio web: WebSocket server error: ${err.message}\n`));
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    socket.on('error', () => socket.destroy()); // a reset during the handshake is that client's problem only
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    const host = req.headers.host;
    const sameOrigin = origin === undefined || origin === `http://${host}`;
    if (url.pathname !== '/api' || !sameOrigin || !tokenMatches(token, url.searchParams.get('token'))) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      // ws closes the socket itself on a frame it refuses (1009 too big, 1007 invalid UTF-8, 1002 bad framing)
      // and then emits 'error'; without this listener that error would end the whole host and its jobs.
      ws.on('error', () => clients.delete(ws));
      ws.on('message', (data, isBinary) => onFrame(ws, data, isBinary));
    });
  });

  /** A frame that cannot be answered (no reply could be matched to it) closes its socket only, with a code saying why. */
  function onFrame(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (isBinary) return ws.close(CLOSE_UNSUPPORTED_DATA, 'binary frames are not accepted: send JSON text');
    let raw: unknown;
    try {
      raw = parseFrame(data.toString());
    } catch {
      return ws.close(CLOSE_INVALID_DATA, 'the message is not JSON');
    }
    if (readRequestId(raw) === null) return ws.close(CLOSE_POLICY, 'not a request with an id of 1-64 characters');
    void answerRequest(raw, opts.route).then((reply) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // after listening, an error of the server (not of one client) is reported, never left to end the process
  server.on('error', (err) => process.stderr.write(`deblur-studio web: server error: ${err.message}\n`));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    server,
    broadcast: (message) => {
      const text = JSON.stringify(message);
      for (const c of clients) if (c.readyState === c.OPEN) c.send(text);
    },
    close: async () => {
      for (const c of clients) c.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
