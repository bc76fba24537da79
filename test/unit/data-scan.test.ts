import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScanJob } from '../../src/engine/data/jobs';
import { scanFolder } from '../../src/engine/data/scan';
import { scanResult } from '../../src/shared/contract';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { makeBadInputsFolder, type BadInputsFolder } from '../helpers/bad-inputs';

let tmp: string;
let folder: BadInputsFolder;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'scan-'));
  folder = await makeBadInputsFolder(path.join(tmp, 'photos'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('scanFolder', () => {
  it('accepts every good image, in every encoding, with its displayed size', async () => {
    const scan = await scanFolder(folder.root, { limitInputPixels: folder.limitInputPixels });
    const accepted = Object.fromEntries(scan.images.map((i) => [i.relPath, { width: i.width, height: i.height }]));
    expect(accepted).toEqual(folder.accepted);
    // sorted by path, absolute paths inside the root
    expect(scan.images.map((i) => i.relPath)).toEqual(Object.keys(folder.accepted).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const img of scan.images) expect(img.path).toBe(path.join(folder.root, ...img.relPath.split('/')));
  });

  it('lists every skipped file with its specific reason, and nothing else', async () => {
    const scan = await scanFolder(folder.root, { limitInputPixels: folder.limitInputPixels });
    const skipped = Object.fromEntries(scan.skipped.map((s) => [s.relPath, s.reason]));
    expect(skipped).toEqual(folder.skipped);
    for (const s of scan.skipped) expect(s.detail.length).toBeGreaterThan(0);
  });

  it('reads a chmod-000 file only when running as root (root bypasses file permissions)', async () => {
    const scan = await scanFolder(folder.root, { limitInputPixels: folder.limitInputPixels });
    const locked = scan.images.find((i) => i.relPath === 'locked.png');
    if (folder.runningAsRoot) expect(locked).toBeDefined();
    else expect(scan.skipped.find((s) => s.relPath === 'locked.png')?.reason).toBe('unreadable');
  });

  it('groups by sub-folder; files in the root are each their own group', async () => {
    const scan = await scanFolder(folder.root, { limitInputPixels: folder.limitInputPixels });
    const group = (rel: string): string | undefined => scan.images.find((i) => i.relPath === rel)?.group;
    expect(group('seqA/0001.png')).toBe('seqA');
    expect(group('seqA/0002.png')).toBe('seqA');
    expect(group('seqB/0002.jpeg')).toBe('seqB');
    expect(group('grey.png')).toBe('grey.png');
    expect(scan.bySubfolder).toEqual([
      { folder: '.', images: Object.keys(folder.accepted).filter((r) => !r.includes('/')).length },
      { folder: 'seqA', images: 2 },
      { folder: 'seqB', images: 2 },
    ]);
  });

  it('with the default pixel limit the large image is accepted', async () => {
    const scan = await scanFolder(folder.root);
    expect(scan.images.some((i) => i.relPath === 'huge.png')).toBe(true);
  });

  it('reports progress and warns about skipped files through the job context', async () => {
    const ctx = createTestContext();
    await scanFolder(folder.root, { limitInputPixels: folder.limitInputPixels }, ctx);
    expect(ctx.progressLog.at(-1)?.fraction).toBe(1);
    expect(ctx.logs.filter((l) => l.level === 'warn').length).toBe(Object.keys(folder.skipped).length);
  });

  it('as a job, returns the contract\'s scan result with absolute paths and reasons', async () => {
    const result = scanResult.parse(await runScanJob({ folder: folder.root }, createTestContext()));
    expect(result.images).toBe(Object.keys(folder.accepted).length + 1); // + huge.png under the default limit
    const truncated = result.skipped.find((s) => s.path === path.join(folder.root, 'seqA', 'truncated.jpg'));
    expect(truncated?.reason).toMatch(/^truncated: /);
  });

  it('refuses a missing root with a clear message', async () => {
    await expect(scanFolder(path.join(tmp, 'nope'))).rejects.toThrow(/cannot scan .*nope/);
  });
});
