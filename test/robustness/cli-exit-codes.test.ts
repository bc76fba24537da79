/**
 * Hostile input: a deblur batch with an unreadable file among good photos; an evaluation output that
 * already exists; a report whose default HTML name is taken.
 * Fault injected: a file with an image name and no image in it; files placed where outputs go.
 * What must hold: the real CLI exits 3 (partial) with a summary that says so when some inputs were
 * skipped, 1 when an output would be replaced without --overwrite (the message names the file and
 * --overwrite, and the file is untouched), and a default name never replaces an earlier result.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRuntime } from '../../src/engine/runtime/select';
import { saveTinyModel, syntheticImage, writePng } from '../integration/infer-support';

const bin = path.resolve('bin/deblur-studio.mjs');
let tmp: string;
let model: string;
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, cwd: tmp });

beforeAll(async () => {
  await selectRuntime();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cli-exit-'));
  model = await saveTinyModel(tmp);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('CLI exit codes and outputs', () => {
  it('deblur exits 3 and says partial when an input is skipped, 0 when all are done', async () => {
    const photos = path.join(tmp, 'photos');
    await writePng(path.join(photos, 'good.png'), syntheticImage(40, 24));
    await writeFile(path.join(photos, 'broken.png'), 'not a png');
    const partial = cli('deblur', photos, '--model', model, '--out', path.join(tmp, 'out'));
    expect(partial.status, partial.stderr).toBe(3);
    expect(partial.stdout).toMatch(/1 image\(s\) deblurred, 1 skipped — partial: 1 of 2 input\(s\) skipped or failed \(exit code 3\)/);
    expect(partial.stdout).toContain(`skipped ${path.join(photos, 'broken.png')}`);
    const whole = cli('deblur', path.join(photos, 'good.png'), '--model', model, '--out', path.join(tmp, 'out'));
    expect(whole.status, whole.stderr).toBe(0);
    expect(whole.stdout).not.toContain('partial');
  });

  it('eval refuses to replace an existing --out without --overwrite, before any work', async () => {
    const out = path.join(tmp, 'earlier-eval.json');
    await writeFile(out, 'my earlier result');
    const r = cli('eval', path.join(tmp, 'no-test-set'), '--model', model, '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the evaluation file ${out} already exists; choose another name, or pass --overwrite to replace it`);
    expect(await readFile(out, 'utf8')).toBe('my earlier result');
  });

  it('eval and report: default names say what they hold and never replace an earlier file', async () => {
    // A tiny course-layout test set, evaluated twice with the default output name.
    const set = path.join(tmp, 'my set');
    await writePng(path.join(set, 'blur', 'a.png'), syntheticImage(40, 24, 1));
    await writePng(path.join(set, 'sharp', 'a.png'), syntheticImage(40, 24, 2));
    const cwd = path.join(tmp, 'work');
    await mkdir(cwd);
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, cwd });
    for (let i = 0; i < 2; i++) expect(run('eval', set, '--model', model).status).toBe(0);
    expect((await readdir(cwd)).sort()).toEqual(['eval-model-on-my-set-2.json', 'eval-model-on-my-set.json']);
    const evalJson = path.join(cwd, 'eval-model-on-my-set.json');
    for (let i = 0; i < 2; i++) expect(run('report', evalJson).status).toBe(0);
    expect((await readdir(cwd)).filter((f) => f.endsWith('.html')).sort()).toEqual(['eval-model-on-my-set-2.html', 'eval-model-on-my-set.html']);
    // A named report file that exists is refused; --overwrite replaces it.
    const named = path.join(cwd, 'eval-model-on-my-set.html');
    expect(run('report', evalJson, '--html', named).status).toBe(1);
    expect(run('report', evalJson, '--html', named, '--overwrite').status).toBe(0);
  });
});
