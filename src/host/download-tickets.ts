import { randomBytes } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
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
  expires: number;
}

export interface DownloadTickets {
  /** A ticket for `file` (a regular file inside the roots); throws ContractError naming the field `path`. */
  issue(file: string): Promise<{ url: string; name: string }>;
  /** The file a ticket names, at most once and before it expires; null for an unknown, used or expired ticket. */
  redeem(ticket: string): Promise<{ path: string; name: string; size: number } | null>;
}

export function createDownloadTickets(policy: PathPolicy, now: () => number = Date.now): DownloadTickets {
  const open = new Map<string, Ticket>();

  const sweep = (): void => {
    const t = now();
    for (const [id, ticket] of open) if (ticket.expires <= t) open.delete(id);
    // a page that asks for tickets it never uses cannot grow the table without bound
    while (open.size >= MAX_OPEN_TICKETS) open.delete(open.keys().next().value as string);
  };

  /** The real path of a regular file the policy allows, or a ContractError naming `path`. */
  async function checkedFile(file: string): Promise<{ real: string; size: number }> {
    await policy.check(fileField, { path: file }, '');
    const real = await realpath(file).catch(() => {
      throw new ContractError('not_found', `path: ${file} does not exist`, 'path');
    });
    const info = await stat(real);
    if (!info.isFile()) throw new ContractError('invalid_payload', `path: ${file} is not a file`, 'path');
    return { real, size: info.size };
  }

  return {
    async issue(file) {
      await checkedFile(file);
      sweep();
      const id = randomBytes(24).toString('base64url');
      open.set(id, { path: file, expires: now() + TICKET_TTL_MS });
      return { url: `/download?ticket=${id}`, name: path.basename(file) };
    },
    async redeem(id) {
      const ticket = open.get(id);
      open.delete(id); // one use, even if the file has gone meanwhile
      if (!ticket || ticket.expires <= now()) return null;
      const { real, size } = await checkedFile(ticket.path);
      return { path: real, name: path.basename(ticket.path), size };
    },
  };
}
