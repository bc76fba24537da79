/**
 * Issues a download ticket for a folder's .zip in a process of its own and prints what came of it as one JSON line
 * ({ ok, name } or { ok: false, message }). Started as root (for whom no file is unreadable), it becomes the user
 * nobody (65534) first: after its modules are loaded, so the checkout need not be readable by nobody.
 * Usage: node bin/tsx.mjs test/helpers/issue-zip.ts <root> <folder>
 */
import { createDownloadTickets } from '../../src/host/download-tickets';
import { createPathPolicy } from '../../src/host/path-policy';

async function main(): Promise<void> {
  const [root, folder] = process.argv.slice(2);
  if (!root || !folder) throw new Error('usage: issue-zip.ts <root> <folder>');
  if (process.getuid?.() === 0) {
    process.setgid!(65534);
    process.setuid!(65534);
  }
  try {
    const { name } = await createDownloadTickets(createPathPolicy([root])).issue(folder, { zip: true });
    console.log(JSON.stringify({ ok: true, name }));
  } catch (err) {
    console.log(JSON.stringify({ ok: false, message: (err as Error).message }));
  }
}
void main();
