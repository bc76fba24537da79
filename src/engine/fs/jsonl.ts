import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * An append-only JSON-lines log of finished work. Each finished item is one line written with a
 * single write call, so after a kill the log holds every item whose line was written and at most
 * one partial last line, which `readJournal` ignores. Rewriting a whole manifest per item would
 * cost O(n²) bytes; appending costs one line.
 */
export class Journal {
  private constructor(private readonly handle: FileHandle) {}

  static async open(file: string): Promise<Journal> {
    return new Journal(await fs.open(file, 'a'));
  }

  async append(record: unknown): Promise<void> {
    await this.handle.write(`${JSON.stringify(record)}\n`);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** All complete lines of a journal (none when it does not exist). */
export async function readJournal(file: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const records: unknown[] = [];
  const lines = text.split('\n');
  lines.pop(); // the text after the last newline is empty or a line cut short by a kill
  for (const line of lines) {
    if (!line) continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      /* a damaged line: that item is simply done again */
    }
  }
  return records;
}
