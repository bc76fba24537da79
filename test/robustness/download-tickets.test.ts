/**
 * Hostile input: download requests from the browser page or from anyone on 127.0.0.1 — guessed, reused or
 * expired tickets, paths outside the host's roots, a symlink swapped in after the ticket was issued, file
 * names that try to break out of the Content-Disposition header; a folder's .zip that holds hidden files and links out,
 * or a file or subfolder the host's user cannot read.
 * Fault injected: the file is replaced by a link to a secret outside the roots between ticket and GET.
 * What must hold: only a ticket issued for a file inside the roots downloads it, once, within its minute;
 * the answer is an attachment that is not sniffed; the session token never appears in a download URL.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
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

  it("as a folder's .zip: the regular files through its subfolders, never hidden ones or symbolic links", async () => {
    const t = tickets();
    const out = path.join(root, 'zipped');
    await mkdir(path.join(out, 'sub', 'deeper'), { recursive: true });
    await writeFile(path.join(out, 'b.png'), 'B');
    await writeFile(path.join(out, 'sub', 'a.png'), 'A');
    await writeFile(path.join(out, 'sub', 'deeper', 'c.webp'), 'C');
    await writeFile(path.join(out, '.b.png.tmp-123-abcd'), 'half-written');
    await symlink(secret, path.join(out, 'secret-link.txt'));
    await symlink(tmp, path.join(out, 'folder-link'));
    const { url, name } = await t.issue(out, { zip: true });
    expect(name).toBe('zipped.zip');
    const got = await t.redeem(url.split('=')[1]!);
    expect(got?.kind).toBe('zip');
    expect(got?.kind === 'zip' && got.entries.map((e) => [e.name, e.size])).toEqual([
      ['b.png', 1],
      ['sub/a.png', 1],
      ['sub/deeper/c.webp', 1],
    ]);
    await expect(t.issue(path.join(root, 'out', 'photo.png'), { zip: true })).rejects.toThrow(/^path: .*photo\.png is not a folder/);
    await expect(t.issue(tmp, { zip: true })).rejects.toThrow(/is outside the folders/);
    await mkdir(path.join(root, 'empty'));
    await expect(t.issue(path.join(root, 'empty'), { zip: true })).rejects.toThrow(/^path: .*empty has no files to download/);
  });

  // as root every file is readable, so the check runs in a process that becomes the user nobody there (issue-zip.ts)
  it("refuses a folder's .zip that would be cut off by a file or a subfolder it cannot read, naming it", async () => {
    const out = path.join(root, 'locked-zip');
    await mkdir(path.join(out, 'sub'), { recursive: true });
    await writeFile(path.join(out, 'ok.png'), 'OK');
    await writeFile(path.join(out, 'sub', 'inner.png'), 'IN');
    for (const dir of [tmp, root, out]) await chmod(dir, 0o755);
    const issue = () => {
      const run = spawnSync(process.execPath, [path.resolve('bin/tsx.mjs'), path.resolve('test/helpers/issue-zip.ts'), root, out], { encoding: 'utf8' });
      const line = run.stdout.trim().split('\n').pop() ?? '';
      if (!line.startsWith('{')) throw new Error(`issue-zip.ts did not answer: ${run.stderr}`);
      return JSON.parse(line) as { ok: boolean; name?: string; message?: string };
    };
    await chmod(path.join(out, 'sub'), 0o755);
    expect(issue()).toEqual({ ok: true, name: 'locked-zip.zip' }); // readable: the other user gets its ticket
    await chmod(path.join(out, 'ok.png'), 0o000);
    expect(issue()).toMatchObject({ ok: false, message: expect.stringMatching(/^path: .*locked-zip\/ok\.png cannot be read \(EACCES\): a \.zip of .*locked-zip would be incomplete/) });
    await chmod(path.join(out, 'ok.png'), 0o644);
    await chmod(path.join(out, 'sub'), 0o000);
    expect(issue()).toMatchObject({ ok: false, message: expect.stringMatching(/^path: .*locked-zip\/sub\/ cannot be read \(EACCES\)/) });
    await chmod(path.join(out, 'sub'), 0o755);
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

  it("streams a folder's .zip that Python's zipfile reads back byte for byte, with the files' times", async () => {
    const t = tickets();
    const out = path.join(root, 'batch');
    await mkdir(path.join(out, 'sub'), { recursive: true });
    const big = Buffer.alloc(3 * 1024 * 1024 + 17); // several read chunks: the stream is fed in pieces
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    await writeFile(path.join(out, 'big.png'), big);
    await writeFile(path.join(out, 'sub', 'é small.jpg'), 'JPEGDATA');
    await utimes(path.join(out, 'big.png'), new Date('2026-05-04T10:20:30Z'), new Date('2026-05-04T10:20:30Z'));
    const host = await startWebHost({ route: async () => ({}), rendererDir: path.join(tmp, 'renderer'), downloads: t, token: 'session-token' });
    const { url } = await t.issue(out, { zip: true });
    const res = await fetch(`http://127.0.0.1:${host.port}${url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="batch.zip"; filename*=UTF-8''batch.zip`);
    const zipFile = path.join(tmp, 'batch.zip');
    await writeFile(zipFile, Buffer.from(await res.arrayBuffer()));
    await host.close();
    const py = spawnSync('/usr/bin/python3', ['-c', `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps([[i.filename, i.file_size, hashlib.sha256(z.read(i)).hexdigest(), list(i.date_time)] for i in z.infolist()]))
`, zipFile], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const entries = JSON.parse(py.stdout) as Array<[string, number, string, number[]]>;
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(entries.map(([n, size, digest]) => [n, size, digest])).toEqual([
      ['big.png', big.length, sha(big)],
      ['sub/é small.jpg', 8, sha(Buffer.from('JPEGDATA'))],
    ]);
    // DOS time in local time, to the even second
    const local = new Date('2026-05-04T10:20:30Z');
    expect(entries[0]![3]).toEqual([local.getFullYear(), local.getMonth() + 1, local.getDate(), local.getHours(), local.getMinutes(), local.getSeconds() & ~1]);
  });

  it('lets a client walk away in the middle of a .zip: the host stops writing and serves the next download', async () => {
    const t = tickets();
    const out = path.join(root, 'large');
    await mkdir(out);
    for (let i = 0; i < 4; i++) await writeFile(path.join(out, `p${i}.png`), Buffer.alloc(8 * 1024 * 1024, i));
    const host = await startWebHost({ route: async () => ({}), rendererDir: path.join(tmp, 'renderer'), downloads: t, token: 'session-token' });
    try {
      const abort = new AbortController();
      const res = await fetch(`http://127.0.0.1:${host.port}${(await t.issue(out, { zip: true })).url}`, { signal: abort.signal });
      const reader = res.body!.getReader();
      await reader.read(); // the first bytes have come; then the user cancels
      abort.abort();
      const next = await fetch(`http://127.0.0.1:${host.port}${(await t.issue(path.join(root, 'out', 'photo.png'))).url}`);
      expect(await next.text()).toBe('PNGDATA');
    } finally {
      await host.close();
    }
  });
});
