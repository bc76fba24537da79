import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTempPath } from '../../src/engine/fs/atomic';
import { readCompleteManifest, readManifest } from '../../src/engine/data/manifest';
import { JOURNAL_FILE, prepareDataset } from '../../src/engine/data/prepare';
import { LOCK_FILE } from '../../src/engine/data/output-lock';
import { createTestContext } from '../../src/engine/jobs/job-context';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PREPARE_MODULE = pathToFileURL(path.join(REPO, 'src', 'engine', 'data', 'prepare.ts')).href;
const IMAGES = 96;

let tmp: string;
let source: string;
const params = (output: string) => ({ source, output, width: 64, height: 48, levels: [3, 7, 11] as Array<3 | 7 | 11>, split: [0.75, 0.25, 0] as [number, number, number], seed: 3 });

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  }
  return out.sort();
}

async function journalLines(file: string): Promise<number> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.split('\n').length - 1;
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'prepare-resume-'));
  source = path.join(tmp, 'frames');
  // 96 noisy 128×80 frames in 8 sequences (noise makes PNG encoding do real work).
  await Promise.all(
    Array.from({ length: IMAGES }, async (_, i) => {
      const dir = path.join(source, `seq${i % 8}`);
      await fs.mkdir(dir, { recursive: true });
      const data = Buffer.alloc(128 * 80 * 3);
      let s = i * 7919 + 1;
      for (let k = 0; k < data.length; k++) {
        s = (s * 1103515245 + 12345) >>> 0;
        data[k] = (s >>> 24) & 0xff;
      }
      await sharp(data, { raw: { width: 128, height: 80, channels: 3 } }).png({ compressionLevel: 1 }).toFile(path.join(dir, `${String(i).padStart(5, '0')}.png`));
    }),
  );
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('prepare: kill (SIGKILL) half-way, then resume', () => {
  it('completes the set with no temp files, a consistent manifest, valid checksums and the same result as an uninterrupted run', async () => {
    const output = path.join(tmp, 'killed');
    const script = path.join(tmp, 'child.mjs');
    await fs.writeFile(
      script,
      `import { prepareDataset } from ${JSON.stringify(PREPARE_MODULE)};
import { createTestContext } from ${JSON.stringify(pathToFileURL(path.join(REPO, 'src/engine/jobs/job-context.ts')).href)};
await prepareDataset(JSON.parse(process.argv[2]), createTestContext(), { concurrency: 2 });
console.log('finished');
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(params(output))], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

    // Kill once about a third of the items are journaled (the journal's first line is its header).
    const journal = path.join(output, JOURNAL_FILE);
    const deadline = Date.now() + 90_000;
    while ((await journalLines(journal)) < 1 + IMAGES / 3) {
      if (child.exitCode !== null) throw new Error(`the child ended before it could be killed: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`the child made no progress: ${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');

    // What a kill leaves: a journal, a stale lock, no finished manifest.
    expect(await readManifest(output)).toBeNull();
    const finishedBeforeKill = (await journalLines(journal)) - 1;
    expect(finishedBeforeKill).toBeGreaterThan(0);
    expect(finishedBeforeKill).toBeLessThan(IMAGES);
    await expect(fs.access(path.join(output, LOCK_FILE))).resolves.toBeUndefined();

    const resumed = await prepareDataset(params(output), createTestContext(), { concurrency: 2 });
    expect(resumed.images).toBe(IMAGES);
    expect(resumed.reused).toBeGreaterThanOrEqual(finishedBeforeKill - 1); // a last line cut by the kill is redone
    expect(resumed.reused + resumed.written).toBe(IMAGES);

    // No temp files, no lock, no journal; exactly the files the manifest lists, each with a valid checksum.
    const files = await listFiles(output);
    expect(files.filter((f) => isTempPath(f))).toEqual([]);
    expect(files).not.toContain(LOCK_FILE);
    expect(files).not.toContain(JOURNAL_FILE);
    const manifest = await readCompleteManifest(output);
    const listed = manifest.items.flatMap((i) => Object.values(i.outputs).map((o) => o.file));
    expect(new Set(listed).size).toBe(IMAGES * 4);
    expect(files).toEqual([...listed, 'manifest.json'].sort());
    for (const item of manifest.items) {
      for (const out of Object.values(item.outputs)) {
        const data = await fs.readFile(path.join(output, out.file));
        expect(createHash('sha256').update(data).digest('hex')).toBe(out.sha256);
      }
    }

    // Byte-identical to a run that was never interrupted (and that computed on this thread instead
    // of the worker pool: both paths give the same files).
    const reference = path.join(tmp, 'reference');
    await prepareDataset(params(reference), createTestContext(), { concurrency: 2, useWorkers: false });
    const referenceManifest = await readCompleteManifest(reference);
    expect(manifest.items).toEqual(referenceManifest.items);
    expect(manifest.splits).toEqual(referenceManifest.splits);
  });
});
