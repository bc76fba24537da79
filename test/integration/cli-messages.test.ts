import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTileDataset } from './train-helpers';

/** What the CLI says when it is used wrongly: flags by name, the run name asked for last, and --help with defaults. */
const bin = path.resolve('bin/deblur-studio.mjs');
let dir: string;
let prepared: string;
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, cwd: dir });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-messages-'));
  prepared = await makeTileDataset(dir, { count: 4, levels: [11], split: [0.5, 0.5, 0] });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('CLI error messages', () => {
  it('names a bad value by its flag, not by the contract path', () => {
    const r = run('prepare', 'photos', 'out', '--fraction', '2');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^deblur-studio: --fraction: Too big: expected number to be <=1$/m);
    expect(r.stderr).not.toMatch(/params\.params/);
    const size = run('prepare', 'photos', 'out', '--size', '0x256');
    expect(size.stderr).toMatch(/deblur-studio: --size: /);
  });

  it('train checks the data set, model, preset and options before asking for the run name', () => {
    const noData = run('train', path.join(dir, 'nowhere'));
    expect(noData.status).toBe(1);
    expect(noData.stderr).toMatch(/nowhere holds no prepared data set/);
    expect(noData.stderr).not.toMatch(/--run/);
    const model = run('train', prepared, '--model', 'nope');
    expect(model.stderr).toMatch(/deblur-studio: --model: unknown model "nope"; available: .*resunet/);
    const preset = run('train', prepared, '--preset', 'huge');
    expect(preset.stderr).toMatch(/deblur-studio: --preset: model "resunet" has no preset "huge"; available: small/);
    const epochs = run('train', prepared, '--epochs', '0');
    expect(epochs.stderr).toMatch(/deblur-studio: --epochs: Too small/);
    const ok = run('train', prepared);
    expect(ok.status).toBe(1);
    expect(ok.stderr).toMatch(/deblur-studio: name the run with --run <name>/);
  });

  it('train --resume refuses settings it would ignore', () => {
    const r = run('train', '--resume', path.join(dir, 'runs', 'x'), '--batch', '3');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--resume takes only the run folder.*\(drop --batch\)/);
  });
});

describe('CLI --help', () => {
  it('shows the defaults and what is required', () => {
    const train = run('train', '--help').stdout.replace(/\s+/g, ' ');
    expect(train).toMatch(/--epochs <n> epochs .*\(default: "10"\)/);
    expect(train).toMatch(/--model <name> .*\(default: "resunet"\)/);
    expect(train).toMatch(/--patch <n\|full> .*\(default: "128"\)/);
    expect(train).toMatch(/--run <name> .*required unless --resume/);
    const deblur = run('deblur', '--help').stdout.replace(/\s+/g, ' ');
    expect(deblur).toMatch(/inputs image files and\/or folders \(required\)/);
  });

  it('documents every exit status', () => {
    const help = run('--help').stdout;
    for (const status of ['0', '1', '3', '130']) expect(help).toMatch(new RegExp(`^  ${status} +\\S`, 'm'));
  });
});
