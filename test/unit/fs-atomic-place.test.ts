import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { produceFileAtomic, publishNewDir, writeFileAtomic, writeFileAtomicSync } from '../../src/engine/fs/atomic';
import { describeFsError } from '../../src/engine/fs/errors';
import { FileSettingsStore } from '../../src/host/settings-store';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'atomic-place-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('produceFileAtomic (a file another writer produces at a given path)', () => {
  it('puts what the producer wrote in place of the old file, leaving no temp file', async () => {
    const file = path.join(tmp, 'report.pdf');
    await fs.writeFile(file, 'old');
    let given = '';
    await produceFileAtomic(file, async (p) => {
      given = p;
      await fs.writeFile(p, 'new');
    });
    expect(path.dirname(given)).toBe(tmp); // beside the target: the rename stays on one filesystem
    expect(await fs.readFile(file, 'utf8')).toBe('new');
    expect(await fs.readdir(tmp)).toEqual(['report.pdf']);
  });

  it("passes the producer's error unchanged and removes what it had written", async () => {
    const file = path.join(tmp, 'report.pdf');
    await fs.writeFile(file, 'old');
    const failure = new Error('Chromium is not installed');
    await expect(
      produceFileAtomic(file, async (p) => {
        await fs.writeFile(p, 'half');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await fs.readFile(file, 'utf8')).toBe('old');
    expect(await fs.readdir(tmp)).toEqual(['report.pdf']);
  });

  it('exclusive: refuses a name taken while the file was being produced, keeping the other file', async () => {
    const file = path.join(tmp, 'model.onnx');
    const write = produceFileAtomic(
      file,
      async (p) => {
        await fs.writeFile(p, 'mine');
        await fs.writeFile(file, 'theirs'); // another writer takes the name meanwhile
      },
      { exclusive: true },
    );
    await expect(write).rejects.toMatchObject({ code: 'EEXIST', message: expect.stringContaining(`cannot write ${file}`) });
    expect(await fs.readFile(file, 'utf8')).toBe('theirs');
    expect(await fs.readdir(tmp)).toEqual(['model.onnx']);
  });
});

describe('writeFileAtomic exclusive', () => {
  it('writes a new name and refuses an existing one', async () => {
    const file = path.join(tmp, 'a.onnx');
    await writeFileAtomic(file, 'first', { exclusive: true, durable: false });
    await expect(writeFileAtomic(file, 'second', { exclusive: true, durable: false })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await fs.readFile(file, 'utf8')).toBe('first');
    expect(await fs.readdir(tmp)).toEqual(['a.onnx']);
  });
});

describe('writeFileAtomicSync', () => {
  it('replaces a file whole and names the file when it cannot', async () => {
    const file = path.join(tmp, 'worker.cjs');
    writeFileAtomicSync(file, 'one');
    writeFileAtomicSync(file, 'two');
    expect(await fs.readFile(file, 'utf8')).toBe('two');
    const missing = path.join(tmp, 'no-such-folder', 'worker.cjs');
    expect(() => writeFileAtomicSync(missing, 'x')).toThrow(`cannot write ${missing}`);
    expect(await fs.readdir(tmp)).toEqual(['worker.cjs']);
  });

  it('is how the settings file is saved: no temp file stays beside it', async () => {
    const file = path.join(tmp, 'settings.json');
    new FileSettingsStore(file).set({ theme: 'dark' });
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({ theme: 'dark' });
    expect(await fs.readdir(tmp)).toEqual(['settings.json']);
  });
});

describe('publishNewDir', () => {
  it('makes the folder appear whole, also in place of an empty folder', async () => {
    const out = path.join(tmp, 'parent', 'export');
    const seen = await publishNewDir(
      out,
      async (dir) => {
        await fs.writeFile(path.join(dir, 'a.txt'), 'a');
        return fs.stat(out).then(() => 'visible', () => 'not yet');
      },
      async () => undefined,
    );
    expect(seen).toBe('not yet');
    expect(await fs.readdir(out)).toEqual(['a.txt']);
    const empty = path.join(tmp, 'empty');
    await fs.mkdir(empty);
    await publishNewDir(empty, (dir) => fs.writeFile(path.join(dir, 'b.txt'), 'b'), async () => undefined);
    expect(await fs.readdir(empty)).toEqual(['b.txt']);
  });

  it('never removes what a user put in the folder between the last check and the rename: it fails instead', async () => {
    const out = path.join(tmp, 'export');
    await fs.mkdir(out);
    // the check passes (the folder is empty), then a user's file lands in it before the folder is put in place
    const lateArrival = async () => fs.writeFile(path.join(out, 'mine.txt'), 'keep me');
    await expect(publishNewDir(out, (dir) => fs.writeFile(path.join(dir, 'a.txt'), 'a'), lateArrival)).rejects.toMatchObject({ code: 'ENOTEMPTY' });
    expect(await fs.readdir(out)).toEqual(['mine.txt']);
    expect(await fs.readFile(path.join(out, 'mine.txt'), 'utf8')).toBe('keep me');
    expect((await fs.readdir(tmp)).sort()).toEqual(['export']); // no temp folder left
    const err = await publishNewDir(out, async () => undefined, async () => undefined).catch((e: unknown) => e);
    expect(describeFsError(err, out, 'write the export').message).toMatch(/^cannot write the export .*export: the folder is not empty/);
  });

  it('publishes nothing and leaves no temp folder when the last check or the filling fails', async () => {
    const out = path.join(tmp, 'run');
    const taken = new Error('a run named "run" already exists');
    await expect(publishNewDir(out, (dir) => fs.writeFile(path.join(dir, 'a'), 'a'), async () => Promise.reject(taken))).rejects.toBe(taken);
    const broken = new Error('conversion failed');
    await expect(publishNewDir(out, async () => Promise.reject(broken), async () => undefined)).rejects.toBe(broken);
    expect(await fs.readdir(tmp)).toEqual([]);
  });
});
