import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * Append-only JSON-lines files (one JSON value per line): prepare's journal of finished items and a
 * run's history.jsonl. Lines are appended in whole-line writes, so after a kill the file holds every
 * line that was written and at most one partial last line, which the readers skip. Rewriting a
 * whole file per record would cost O(n²) bytes; appending costs one line.
 */
export class Journal {
  private constructor(
    private readonly handle: FileHandle,
    readonly file: string,
  ) {}

  static async open(file: string): Promise<Journal> {
    return new Journal(await fs.open(file, 'a'), file);
  }

  /** Appends one record as one line, in a single write. */
  async append(record: unknown): Promise<void> {
    await this.handle.write(`${JSON.stringify(record)}\n`);
  }

  /** Appends already serialized lines (each ending in a newline) in a single write. */
  async appendLines(lines: readonly string[]): Promise<void> {
    if (lines.length > 0) await this.handle.write(lines.join(''));
  }

  /** Waits until what was appended is on disk (fsync). */
  async sync(): Promise<void> {
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** One record as a line of a JSON-lines file. */
export function jsonLine(record: unknown): string {
  return `${JSON.stringify(record)}\n`;
}

/**
 * The values of a JSON-lines text, in order; blank lines and lines that do not parse (a damaged
 * line, a torn last one) are skipped. `unterminated: 'skip'` also skips a last line that lacks its
 * newline even when it parses (a kill may have cut a longer record to something that still parses).
 */
export function parseJsonLines(text: string, opts: { unterminated: 'parse' | 'skip' }): unknown[] {
  const lines = text.split('\n');
  if (opts.unterminated === 'skip') lines.pop(); // the text after the last newline: empty or cut short
  const values: unknown[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      values.push(JSON.parse(line));
    } catch {
      /* a damaged line: its record is simply absent */
    }
  }
  return values;
}

/**
 * The values of a JSON-lines file, as parseJsonLines reads them; none when the file does not exist.
 * Other read errors are thrown as `describeError` words them (unchanged without it).
 */
export async function readJsonLinesFile(file: string, opts: { unterminated: 'parse' | 'skip'; describeError?: (err: Error) => Error }): Promise<unknown[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw opts.describeError ? opts.describeError(err as Error) : err;
  }
  return parseJsonLines(text, { unterminated: opts.unterminated });
}

/** All complete lines of a journal (none when it does not exist). */
export function readJournal(file: string): Promise<unknown[]> {
  return readJsonLinesFile(file, { unterminated: 'skip' });
}
