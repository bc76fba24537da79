import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DownloadTickets } from '../host/download-tickets';
import { toErrorShape } from '../shared/contract';
import { writeZip } from './zip-stream';

/** The browser host's `GET /download?ticket=…` (tickets: src/host/download-tickets.ts). */
export const DOWNLOAD_PATH = '/download';

/** RFC 6266 / 5987: an ASCII fallback plus the exact UTF-8 name, so no name can break out of the header. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Answers a download request: the file (or a folder's .zip) a valid ticket names, as an attachment the browser must not sniff or
 * render; anything else is a 404 that says why without naming a path.
 */
export async function serveDownload(req: IncomingMessage, res: ServerResponse, tickets: DownloadTickets, headers: Record<string, string>): Promise<void> {
  const ticket = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('ticket') ?? '';
  let file: Awaited<ReturnType<DownloadTickets['redeem']>>;
  try {
    file = ticket ? await tickets.redeem(ticket) : null;
  } catch (err) {
    // the policy refused it or it is gone: the message names the ticket's own file only
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(toErrorShape(err).message);
    return;
  }
  if (!file) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('this download link is unknown, used or expired: ask for the download again');
    return;
  }
  if (file.kind === 'zip') {
    // no Content-Length: the archive is written as it is read (src/web/zip-stream.ts)
    res.writeHead(200, { ...headers, 'Content-Type': 'application/zip', 'Content-Disposition': contentDisposition(file.name) });
    await writeZip(res, file.entries).catch(() => res.destroy());
    return;
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': contentDisposition(file.name),
    'Content-Length': String(file.size),
  });
  const stream = createReadStream(file.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
