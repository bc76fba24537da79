import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, jsonLine, parseJsonLines, readJournal, readJsonLinesFile } from '../../src/engine/fs/jsonl';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fs-jsonl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('JSON-lines files', () => {
  it('skips blank and damaged lines; a last line without its newline is parsed or skipped as asked', () => {
    const text = `${jsonLine({ a: 1 })}\n{"a":2\n  \n${jsonLine([3])}{"a":4}`;
    expect(parseJsonLines(text, { unterminated: 'parse' })).toEqual([{ a: 1 }, [3], { a: 4 }]);
    expect(parseJsonLines(text, { unterminated: 'skip' })).toEqual([{ a: 1 }, [3]]);
    expect(parseJsonLines('', { unterminated: 'parse' })).toEqual([]);
  });

  it('a journal appends records and serialized lines in order and reads back its complete lines', async () => {
    const file = path.join(dir, 'journal.jsonl');
    const journal = await Journal.open(file);
    await journal.append({ id: 'a' });
    await journal.appendLines([jsonLine({ id: 'b' }), jsonLine({ id: 'c' })]);
    await journal.appendLines([]);
    await journal.sync();
    await journal.close();
    expect(await readFile(file, 'utf8')).toBe('{"id":"a"}\n{"id":"b"}\n{"id":"c"}\n');
    await writeFile(file, '{"id":"d"}', { flag: 'a' }); // a torn last line after a kill
    expect(await readJournal(file)).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    expect(await readJournal(path.join(dir, 'missing.jsonl'))).toEqual([]);
  });

  it('readJsonLinesFile: a missing file has no lines; another read error is worded by the caller or passed unchanged', async () => {
    const file = path.join(dir, 'torn.jsonl');
    await writeFile(file, '{"a":1}\n{"a":2}');
    expect(await readJsonLinesFile(file, { unterminated: 'parse' })).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await readJsonLinesFile(file, { unterminated: 'skip' })).toEqual([{ a: 1 }]);
    expect(await readJsonLinesFile(path.join(dir, 'none.jsonl'), { unterminated: 'parse' })).toEqual([]);
    // a folder cannot be read as a file (EISDIR)
    await expect(readJsonLinesFile(dir, { unterminated: 'parse', describeError: (err) => new Error(`cannot read the log ${dir}: ${err.message}`) })).rejects.toThrow(`cannot read the log ${dir}: EISDIR`);
    await expect(readJsonLinesFile(dir, { unterminated: 'parse' })).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
