import { randomBytes } from 'node:crypto';
import { access, constants, lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { absPath, ContractError } from '../shared/contract';
import type { PathPolicy } from './path-policy';

/**
 * One-time download tickets for the browser host. The page asks for one over its authenticated WebSocket
 * and then GETs `/download?ticket=…`: the session token never appears in a URL (which could reach logs,
 * history or a Referer), and a ticket that leaks is worth one download of one named file for a minute.
 * Both the request and the redemption go through the host's path policy, so a symlink swapped in between
 * cannot lead out of the roots.
 */

export const TICKET_TTL_MS = 60_000;
const MAX_OPEN_TICKETS = 256;
const fileField = z.strictObject({ path: absPath });

interface Ticket {
  path: string;
  zip: boolean;
  expires: number;
}

/** One file of a folder's .zip: its real path, its name inside the archive ('/'-separated, relative to the folder). */
export interface ZipEntry {
  path: string;
  name: string;
  size: number;
  mtime: Date;
}

/** What a ticket downloads: one file, or a folder's files as one .zip. */
export type Download = { kind: 'file'; path: string; name: string; size: number } | { kind: 'zip'; name: string; entries: ZipEntry[] };

/** A .zip without ZIP64 (what fflate writes): at most 65,535 entries and 4 GiB of offsets; kept a little under. */
export const MAX_ZIP_ENTRIES = 65_535;
export const MAX_ZIP_BYTES = 4 * 1024 ** 3 - 64 * 1024 ** 2;
const MAX_ZIP_DEPTH = 32;

export interface DownloadTickets {
  /**
   * A ticket for `target`: a regular file inside the roots, or with `zip` a folder inside them whose files come as
   * one .zip; throws ContractError naming the field `path`.
   */
  issue(target: string, opts?: { zip?: boolean }): Promise<{ url: string; name: string }>;
  /** What a ticket names, at most once and before it expires; null for an unknown, used or expired ticket. */
  redeem(ticket: string): Promise<Download | null>;
}

/**
 * The files of a folder for its .zip, read afresh: regular files only, through subfolders, never through a symbolic
 * link (so nothing outside the folder, and no loops) and without hidden names (temp files of writes in progress).
 */
async function zipEntries(dir: string, shown: string): Promise<ZipEntry[]> {
  const out: ZipEntry[] = [];
  let bytes = 0;
  const tooMany = (what: string) => new ContractError('invalid_payload', `path: ${shown} holds ${what}, more than one .zip can hold: download its subfolders or files one by one`, 'path');
  // refused before the download starts: a file that cannot be read would otherwise cut the .zip off half-way
  const unreadable = (rel: string, err: unknown) =>
    new ContractError('invalid_payload', `path: ${path.join(shown, rel)} cannot be read (${(err as NodeJS.ErrnoException).code ?? err}): a .zip of ${shown} would be incomplete`, 'path');
  const walk = async (folder: string, prefix: string, depth: number): Promise<void> => {
    const names = (
      await readdir(folder).catch((err: unknown) => {
        throw unreadable(prefix, err);
      })
    )
      .filter((n) => !n.startsWith('.'))
      .sort();
    for (const name of names) {
      const full = path.join(folder, name);
      const info = await lstat(full).catch(() => null); // gone meanwhile: not part of the folder any more
      if (info?.isDirectory() && depth < MAX_ZIP_DEPTH) await walk(full, `${prefix}${name}/`, depth + 1);
      if (!info?.isFile()) continue;
      await access(full, constants.R_OK).catch((err: unknown) => {
        throw unreadable(`${prefix}${name}`, err);
      });
      bytes += info.size;
      out.push({ path: full, name: `${prefix}${name}`, size: info.size, mtime: info.mtime });
      if (out.length > MAX_ZIP_ENTRIES) throw tooMany(`more than ${MAX_ZIP_ENTRIES.toLocaleString('en')} files`);
      if (bytes > MAX_ZIP_BYTES) throw tooMany(`more than ${(MAX_ZIP_BYTES / 1024 ** 3).toFixed(1)} GB`);
    }
  };
  await walk(dir, '', 0);
  return out;
}

export function createDownloadTickets(policy: PathPolicy, now: () => number = Date.now): DownloadTickets {
  const open = new Map<string, Ticket>();

  const sweep = (): void => {
    const t = now();
    for (const [id, ticket] of open) if (ticket.expires <= t) open.delete(id);
    // a page that asks for tickets it never uses cannot grow the table without bound
    while (open.size >= MAX_OPEN_TICKETS) open.delete(open.keys().next().value as string);
  };

  /** The real path of what the policy allows (a regular file, or a folder for a .zip), or a ContractError naming `path`. */
  async function checked(target: string, zip: boolean): Promise<{ real: string; size: number }> {
    await policy.check(fileField, { path: target }, '');
    const real = await realpath(target).catch(() => {
      throw new ContractError('not_found', `path: ${target} does not exist`, 'path');
    });
    const info = await stat(real);
    if (zip ? !info.isDirectory() : !info.isFile()) throw new ContractError('invalid_payload', `path: ${target} is not a ${zip ? 'folder' : 'file'}`, 'path');
    return { real, size: info.size };
  }

  return {
    async issue(target, opts = {}) {
      const zip = opts.zip ?? false;
      const { real } = await checked(target, zip);
      // a folder too large or empty is refused now, not after the user's click has become a broken download
      if (zip && (await zipEntries(real, target)).length === 0) throw new ContractError('invalid_payload', `path: ${target} has no files to download`, 'path');
      sweep();
      const id = randomBytes(24).toString('base64url');
      open.set(id, { path: target, zip, expires: now() + TICKET_TTL_MS });
      return { url: `/download?ticket=${id}`, name: downloadName(target, zip) };
    },
    async redeem(id) {
      const ticket = open.get(id);
      open.delete(id); // one use, even if the file has gone meanwhile
      if (!ticket || ticket.expires <= now()) return null;
      const { real, size } = await checked(ticket.path, ticket.zip);
      const name = downloadName(ticket.path, ticket.zip);
      return ticket.zip ? { kind: 'zip', name, entries: await zipEntries(real, ticket.path) } : { kind: 'file', path: real, name, size };
    },
  };
}

const downloadName = (target: string, zip: boolean) => (zip ? `${path.basename(target)}.zip` : path.basename(target));
