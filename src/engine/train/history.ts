import { HISTORY_EVENTS, type HistoryEvent } from '../../shared/contract';
import { writeFileAtomic } from '../fs/atomic';
import { Journal, jsonLine, readJsonLinesFile } from '../fs/jsonl';

/**
 * `history.jsonl` of a run: one JSON object per line, `{"event": …, "payload": …}`, for every
 * train.step / train.validation / train.checkpoint event the charts need, so a reopened run
 * redraws its charts. Lines are appended in whole-line writes and fsync'd in small batches; a
 * kill -9 loses at most the last unflushed lines and can tear only the very last line, which the
 * reader skips. The file itself is a JSON-lines journal (fs/jsonl.ts); this adds the batching.
 */
export const HISTORY_FILE = 'history.jsonl';
export { HISTORY_EVENTS, type HistoryEvent };
/** A line as stored; `runs.history` answers only the lines that match the contract's run history (shared/contract/run-history.ts). */
export interface HistoryEntry {
  event: HistoryEvent;
  payload: Record<string, unknown>;
}

/** Unflushed step lines are written after this long or this many lines, whichever comes first. */
const FLUSH_INTERVAL_MS = 1000;
const FLUSH_LINES = 64;

export class HistoryWriter {
  private pending: string[] = [];
  private lastFlush = performance.now();
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(private readonly journal: Journal) {}

  get file(): string {
    return this.journal.file;
  }

  static async open(file: string): Promise<HistoryWriter> {
    return new HistoryWriter(await Journal.open(file));
  }

  /**
   * Queues one entry. Validation and checkpoint entries are flushed at once (they are rare and
   * the charts' landmarks); step entries are batched.
   */
  append(entry: HistoryEntry): void {
    if (this.closed) throw new Error(`history ${this.file} is closed`);
    this.pending.push(jsonLine(entry));
    const due = entry.event !== 'train.step' || this.pending.length >= FLUSH_LINES || performance.now() - this.lastFlush >= FLUSH_INTERVAL_MS;
    if (due) void this.flush().catch(() => undefined);
  }

  /** Writes and fsyncs everything queued so far; resolves when it is on disk. */
  flush(): Promise<void> {
    const lines = this.pending.splice(0);
    this.lastFlush = performance.now();
    // Chained: writes land in order, and each caller's promise covers its own lines.
    this.writing = this.writing.then(async () => {
      if (lines.length === 0) return;
      await this.journal.appendLines(lines);
      await this.journal.sync();
    });
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.journal.close();
  }
}

/** Every readable entry, in order; lines that do not parse (a torn last line after a kill) are skipped. */
export async function readHistoryFile(file: string): Promise<HistoryEntry[]> {
  const values = await readJsonLinesFile(file, { unterminated: 'parse', describeError: (err) => new Error(`cannot read the run history ${file}: ${err.message}`) });
  const entries: HistoryEntry[] = [];
  for (const value of values) {
    const entry = asEntry(value);
    if (entry) entries.push(entry);
  }
  return entries;
}

/**
 * Rewrites the history keeping only the entries `keep` accepts (atomically: temp file + rename).
 * A resumed run drops what was logged after its checkpoint, so its charts do not show the lost
 * steps twice, and a torn last line goes away before new lines are appended after it.
 */
export async function rewriteHistory(file: string, keep: (entry: HistoryEntry) => boolean): Promise<number> {
  const kept = (await readHistoryFile(file)).filter(keep);
  await writeFileAtomic(file, kept.map(jsonLine).join(''));
  return kept.length;
}

/** A parsed line as a history entry, or null when it is not one. */
function asEntry(value: unknown): HistoryEntry | null {
  if (typeof value !== 'object' || value === null) return null;
  const { event, payload } = value as { event?: unknown; payload?: unknown };
  if (!HISTORY_EVENTS.includes(event as HistoryEvent) || typeof payload !== 'object' || payload === null) return null;
  return { event: event as HistoryEvent, payload: payload as Record<string, unknown> };
}
