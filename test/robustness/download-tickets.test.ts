/**
 * Hostile input: download requests from the browser page or from anyone on 127.0.0.1 — guessed, reused or
 * expired tickets, paths outside the host's roots, a symlink swapped in after the ticket was issued, file
 * names that try to break out of the Content-Disposition header.
 * Fault injected: the file is replaced by a link to a secret outside the roots between ticket and GET.
 * What must hold: only a ticket issued for a file inside the roots downloads it, once, within its minute;
 * the answer is an attachment that is not sniffed; the session token never appears in a download URL.
 */
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDownloadTickets, TICKET_TTL_MS } from '../../src/host/download-tickets';
import { createPathPolicy } from '../../src/host/path-policy';
import { contentDisposition } from '../../src/web/downloads';
import { startWebHost, type WebHost } from '../../src/web/server';

let tmp: string;
let root: string;
let secret: string;
let web: WebHost;
let clock = 0;
const tickets = () => createDownloadTickets(createPathPolicy([root]), () => clock);

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'downloads-'));
  root = path.join(tmp, 'root');
  await mkdir(path.join(root, 'out'), { recursive: true });
  await mkdir(path.join(tmp, 'renderer'));
  await writeFile(path.join(tmp, 'renderer', 'index.html'), '<!doctype html>');
  await writeFile(path.join(root, 'out', 'photo.png'), 'PNGDATA');
  secret = path.join(tmp, 'secret.txt');
  await writeFile(secret, 'SECRET');
});
afterAll(async () => {
  await web?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('download tickets', () => {
  it('are refused for paths outside the roots, missing files and folders, naming the field', async () => {
    const t = tickets();
    await expect(t.issue(secret)).rejects.toThrow(/^path: .*secret\.txt is outside the folders this host may use/);
    await expect(t.issue(path.join(root, 'out', 'nope.png'))).rejects.toThrow(/^path: .*nope\.png does not exist/);
    await expect(t.issue(path.join(root, 'out'))).rejects.toThrow(/^path: .* is not a file/);
    await symlink(secret, path.join(root, 'link.txt'));
    await expect(t.issue(path.join(root, 'link.txt'))).rejects.toThrow(/is outside the folders/);
  });

  it('download once, and not after a minute', async () => {
    const t = tickets();
    const file = path.join(root, 'out', 'photo.png');
    const once = (await t.issue(file)).url.split('=')[1]!;
    expect(await t.redeem(once)).toMatchObject({ name: 'photo.png', size: 7 });
    expect(await t.redeem(once)).toBeNull();
    const late = (await t.issue(file)).url.split('=')[1]!;
    clock += TICKET_TTL_MS;
    expect(await t.redeem(late)).toBeNull();
    expect(await t.redeem('guessed')).toBeNull();
  });

  it('check the file again when redeemed: a link swapped in after the ticket leads nowhere', async () => {
    const t = tickets();
    const file = path.join(root, 'out', 'swap.png');
    await writeFile(file, 'fine');
    const id = (await t.issue(file)).url.split('=')[1]!;
    await unlink(file);
    await symlink(secret, file);
    await expect(t.redeem(id)).rejects.toThrow(/is outside the folders/);
  });

  it('keep any file name inside the Content-Disposition header', () => {
    const header = contentDisposition('a"; filename=evil.html\r\nX: 1 é.png');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toMatch(/^attachment; filename="a__ filename=evil.html__X: 1 _.png"; filename\*=UTF-8''/);
    expect(decodeURIComponent(header.split("UTF-8''")[1]!)).toBe('a"; filename=evil.html\r\nX: 1 é.png');
  });
});

describe('GET /download on the browser host', () => {
  it('answers the ticket’s file as a non-sniffed attachment once, and a 404 that names no path otherwise', async () => {
    const t = tickets();
    web = await startWebHost({ route: async () => ({}), rendererDir: path.join(tmp, 'renderer'), downloads: t, token: 'session-token' });
    const { url } = await t.issue(path.join(root, 'out', 'photo.png'));
    expect(url).not.toContain('session-token');
    const base = `http://127.0.0.1:${web.port}`;
    const first = await fetch(base + url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-disposition')).toBe(`attachment; filename="photo.png"; filename*=UTF-8''photo.png`);
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    expect(first.headers.get('content-type')).toBe('application/octet-stream');
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(await first.text()).toBe('PNGDATA');
    const again = await fetch(base + url);
    expect(again.status).toBe(404);
    const text = await again.text();
    expect(text).toMatch(/unknown, used or expired/);
    expect(text).not.toContain(root);
    expect((await fetch(`${base}/download`)).status).toBe(404);
    expect((await fetch(`${base}/download?ticket=../../secret.txt`)).status).toBe(404);
  });
});
