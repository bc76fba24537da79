/**
 * Hostile input: outputs that cannot be written — a disk that fills up mid-write, an output path that
 * is a folder, or under a file, or an earlier result the user did not ask to replace.
 * Fault injected: ENOSPC / EROFS thrown by the write seam (fs/write-seam.ts) for chosen files, instead
 * of filling a real disk; folders and files placed where outputs go.
 * What must hold: no temp file is left behind on any failure path; every error names the file and
 * says what to do (no bare ENOSPC/EEXIST/EISDIR text); a job that skipped or failed inputs says so in
 * its result; output problems are found before the work starts; nothing is replaced without overwrite.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deblurParams, evaluateParams, reportParams, trainParams } from '../../src/shared/contract';
import { prepareDataset } from '../../src/engine/data/prepare';
import { isTempPath, writeFileAtomic } from '../../src/engine/fs/atomic';
import { describeFsError } from '../../src/engine/fs/errors';
import { writeSeam } from '../../src/engine/fs/write-seam';
import { runEvaluate } from '../../src/engine/evaluate/run-evaluate';
import { runDeblur } from '../../src/engine/infer/run-deblur';
import { writeNewOutput } from '../../src/engine/infer/output-file';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { runReport } from '../../src/engine/report/run-report';
import { runTraining } from '../../src/engine/train/trainer';
import { selectRuntime } from '../../src/engine/runtime/select';
import { saveTinyModel, syntheticImage, writePng } from '../integration/infer-support';
import { makeTileDataset } from '../integration/train-helpers';

let tmp: string;
const realWrite = writeSeam.write;
beforeAll(async () => {
  await selectRuntime();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'out-faults-'));
});
afterEach(() => {
  writeSeam.write = realWrite;
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Makes writes of files whose path matches `which` fail with `code` after half the bytes are written. */
function failWrites(code: string, which: (file: string) => boolean = () => true): void {
  writeSeam.write = async (handle, data, file) => {
    if (!which(file)) return realWrite(handle, data, file);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    await handle.write(bytes.subarray(0, bytes.length >> 1));
    throw Object.assign(new Error(`${code}: simulated, write`), { code });
  };
}

const allFiles = async (dir: string): Promise<string[]> => (await readdir(dir, { recursive: true })).map(String);

describe('describeFsError', () => {
  it('names the file and gives a hint for each common code, keeping the code', () => {
    const err = (code: string) => describeFsError(Object.assign(new Error(`${code}: raw`), { code }), '/data/out.json', 'write');
    expect(err('ENOSPC').message).toBe('cannot write /data/out.json: the disk is full: free some space or choose a folder on another disk (ENOSPC)');
    expect(err('ENOSPC').code).toBe('ENOSPC');
    for (const code of ['EACCES', 'EROFS', 'EISDIR', 'EEXIST', 'ENOTDIR']) {
      expect(err(code).message).toMatch(new RegExp(`^cannot write /data/out\\.json: .+ \\(${code}\\)$`));
    }
    expect(describeFsError(new Error('odd'), '/x', 'read').message).toBe('cannot read /x: odd');
  });
});

describe('a disk that fills up mid-write', () => {
  it('writeFileAtomic: names the file, keeps the old content, leaves no temp file', async () => {
    const dir = path.join(tmp, 'atomic');
    await mkdir(dir);
    const file = path.join(dir, 'manifest.json');
    await writeFileAtomic(file, 'old');
    failWrites('ENOSPC');
    await expect(writeFileAtomic(file, 'new content')).rejects.toThrow(`cannot write ${file}: the disk is full`);
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['manifest.json']);
  });

  it('deblur outputs: the temp file is removed, the error names the output', async () => {
    const dir = path.join(tmp, 'deblur-out');
    failWrites('EROFS');
    await expect(writeNewOutput(dir, 'photo', '.png', new Uint8Array(64), '/elsewhere/photo.png')).rejects.toThrow(
      `cannot write ${path.join(dir, 'photo.png')}: the file system is read-only`,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('a checkpoint write: the training fails naming the checkpoint folder and the hint; no temp folder is left', async () => {
    const tiles = await makeTileDataset(path.join(tmp, 'ckpt'), { count: 4, side: 32, levels: [11], split: [0.75, 0.25, 0] });
    const runsDir = path.join(tmp, 'ckpt', 'runs');
    failWrites('ENOSPC', (f) => f.includes(`${path.sep}checkpoints${path.sep}`));
    const params = trainParams.parse({ dataset: tiles, runsDir, run: 'full', epochs: 1, batch: 2, patch: 16, stepsPerEpoch: 1 });
    await expect(runTraining(params, createTestContext())).rejects.toThrow(
      `cannot write the last checkpoint ${path.join(runsDir, 'full', 'checkpoints', 'last')}: the disk is full`,
    );
    expect((await allFiles(path.join(runsDir, 'full'))).filter((f) => isTempPath(f))).toEqual([]);
  });

  it('a deblur job where one output write fails: that input is in the result as failed, no temp file, the other is written', async () => {
    const model = await saveTinyModel(path.join(tmp, 'm'));
    const photos = path.join(tmp, 'photos');
    await writePng(path.join(photos, 'a.png'), syntheticImage(40, 24));
    await writePng(path.join(photos, 'b.png'), syntheticImage(40, 24));
    const outDir = path.join(tmp, 'deblurred');
    failWrites('ENOSPC', (f) => path.basename(f).startsWith('.b'));
    const result = await runDeblur(deblurParams.parse({ inputs: [photos], model, outDir }), createTestContext());
    expect(result.outputs.map((o) => path.basename(o.output))).toEqual(['a.png']);
    expect(result.skipped).toEqual([{ path: path.join(photos, 'b.png'), reason: expect.stringContaining(`cannot write ${path.join(outDir, 'b.png')}: the disk is full`) }]);
    expect(await readdir(outDir)).toEqual(['a.png']);
  });
});

describe('outputs are checked before the work starts', () => {
  // A model path that does not exist: had the job started its work, it would fail on the model instead.
  const noModel = path.join(os.tmpdir(), 'no-such-model-folder');

  it('evaluate refuses an existing file (naming it and --overwrite), a folder, and a path under a file', async () => {
    const dir = path.join(tmp, 'eval');
    await mkdir(path.join(dir, 'a-folder'), { recursive: true });
    await writeFile(path.join(dir, 'earlier.json'), '{}');
    await writeFile(path.join(dir, 'a-file'), '');
    const run = (out: string, overwrite = false) => runEvaluate(evaluateParams.parse({ testSet: dir, model: noModel, out, overwrite }), createTestContext());
    await expect(run(path.join(dir, 'earlier.json'))).rejects.toMatchObject({
      code: 'exists',
      message: `the evaluation file ${path.join(dir, 'earlier.json')} already exists; choose another name, or pass --overwrite to replace it`,
    });
    await expect(run(path.join(dir, 'a-folder'))).rejects.toThrow(`the evaluation file ${path.join(dir, 'a-folder')} is a folder`);
    await expect(run(path.join(dir, 'a-file', 'eval.json'))).rejects.toThrow(`cannot write ${path.join(dir, 'a-file', 'eval.json')}: ${path.join(dir, 'a-file')} is a file, not a folder`);
    // With overwrite the check passes and the job goes on to its work (and fails there, on the test set).
    await expect(run(path.join(dir, 'earlier.json'), true)).rejects.toThrow(/is not a test set/);
    expect(await readFile(path.join(dir, 'earlier.json'), 'utf8')).toBe('{}');
  });

  it('report refuses before writing any file when one output exists, and replaces them all with overwrite', async () => {
    const dir = path.join(tmp, 'report');
    await mkdir(dir);
    await writeFile(path.join(dir, 'report.csv'), 'earlier');
    const evalJson = path.join(dir, 'missing-eval.json');
    const params = (overwrite: boolean) => reportParams.parse({ evalJson, html: path.join(dir, 'report.html'), csv: path.join(dir, 'report.csv'), overwrite });
    await expect(runReport(params(false), createTestContext())).rejects.toThrow(`the CSV report ${path.join(dir, 'report.csv')} already exists; choose another name, or pass --overwrite`);
    expect(await readdir(dir)).toEqual(['report.csv']);
    // With overwrite the outputs pass the check; the job then reads the evaluation (missing here).
    await expect(runReport(params(true), createTestContext())).rejects.toThrow(/does not exist; run "eval" first/);
  });

  it('deblur refuses an output folder that is a file before loading the model', async () => {
    const file = path.join(tmp, 'out-is-a-file');
    await writeFile(file, '');
    await expect(runDeblur(deblurParams.parse({ inputs: [tmp], model: noModel, outDir: file }), createTestContext())).rejects.toThrow(
      `the output folder ${file} is a file, not a folder`,
    );
  });

  it('prepare refuses an output folder that is a file, naming it (not a bare EEXIST)', async () => {
    const file = path.join(tmp, 'prepared-is-a-file');
    await writeFile(file, '');
    await mkdir(path.join(tmp, 'photos-src'), { recursive: true });
    await expect(prepareDataset({ source: path.join(tmp, 'photos-src'), output: file }, createTestContext())).rejects.toThrow(`the output folder ${file} is a file, not a folder`);
  });

  it('deblur with overwrite replaces an earlier output of the same name (never the input); without it picks a free name', async () => {
    const model = await saveTinyModel(path.join(tmp, 'm2'));
    const photos = path.join(tmp, 'photos2');
    await writePng(path.join(photos, 'c.png'), syntheticImage(40, 24));
    const outDir = path.join(tmp, 'deblurred2');
    await mkdir(outDir);
    await writeFile(path.join(outDir, 'c.png'), 'earlier');
    const run = (overwrite: boolean) => runDeblur(deblurParams.parse({ inputs: [photos], model, outDir, overwrite }), createTestContext());
    expect((await run(false)).outputs[0]!.output).toBe(path.join(outDir, 'c.deblurred.png'));
    expect(await readFile(path.join(outDir, 'c.png'), 'utf8')).toBe('earlier');
    expect((await run(true)).outputs[0]!.output).toBe(path.join(outDir, 'c.png'));
    expect((await readFile(path.join(outDir, 'c.png'))).subarray(1, 4).toString()).toBe('PNG');
    // Deblurring a folder into itself with overwrite still never replaces the photo.
    const inPlace = await runDeblur(deblurParams.parse({ inputs: [photos], model, outDir: photos, overwrite: true }), createTestContext());
    expect(inPlace.outputs[0]!.output).toBe(path.join(photos, 'c.deblurred.png'));
  });
});
