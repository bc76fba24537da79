import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, torchMissing } from '../helpers/torch';
import { makeTileDataset } from '../integration/train-helpers';
import { POLL, startApp, waitForEvent, type E2EApp } from './harness';

/**
 * Issue 15.4 in the browser, on the real engine: a run's row offers "Export for a cluster…" (an output
 * folder, progress, the written folder with a download per file) and the runs list offers "Import a
 * trained model…" (a checkpoint and a new run name; the list then shows the run). The checkpoint is
 * written by the exported train.py itself, so the import half needs PyTorch (/usr/bin/python3).
 */
const torch = torchMissing();

describe('PyTorch export and import from the runs table (browser host, real engine)', () => {
  let app: E2EApp;
  let page: Page;
  let prepared: string;
  let runsDir: string;
  let exported: string;

  beforeAll(async () => {
    app = await startApp();
    page = app.page;
    prepared = await makeTileDataset(app.browseRoot, { count: 4, levels: [11], split: [0.5, 0.25, 0.25] });
    runsDir = path.join(app.browseRoot, 'runs');
    const { jobId } = (await app.host.route('job.start', {
      type: 'train',
      params: { dataset: prepared, runsDir, run: 'tiny', epochs: 1, stepsPerEpoch: 2, validateEvery: 2, batch: 2, patch: 32, schedule: 'constant' },
    })) as { jobId: string };
    const end = await waitForEvent(app, (m) => (m.event === 'job.finished' || m.event === 'job.failed') && m.payload.jobId === jobId, 120_000);
    expect(end.event, JSON.stringify(end.payload)).toBe('job.finished');
    await app.host.route('settings.set', { folders: { prepared, runs: runsDir } });
    await page.reload();
    await page.getByTestId('runtime-backend').waitFor({ timeout: 90_000 });
  }, 240_000);
  afterAll(async () => {
    await app?.close();
  });

  it("exports a run from its row: asks for a folder, shows the written folder and offers each file's download", async () => {
    await page.keyboard.press('Control+3');
    await expect.poll(() => page.locator('#train-runs').inputValue(), POLL).toBe(runsDir);
    await page.getByRole('button', { name: 'Export tiny for a cluster (PyTorch)' }).click();
    const panel = page.getByTestId('pytorch-export');
    expect(await page.locator('#pytorch-export-out').inputValue()).toBe(path.join(app.browseRoot, 'tiny-pytorch')); // beside the runs folder
    exported = path.join(app.browseRoot, 'cluster', 'tiny-pytorch');
    await page.locator('#pytorch-export-out').fill(exported);
    await panel.getByTestId('pytorch-export-start').click();
    const result = panel.getByTestId('pytorch-export-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toMatch(new RegExp(`resunet \\(small\\) at step 2 with its optimizer state to ${exported.replace(/[/\\.]/g, '\\$&')}`));
    expect((await readdir(exported)).sort()).toEqual(expect.arrayContaining(['README.md', 'export.json', 'model.py', 'train.py', 'weights.bin']));

    const links = panel.getByTestId('pytorch-export-download');
    expect(await links.allTextContents()).toEqual(expect.arrayContaining(['README.md', 'train.py', 'weights.bin']));
    const download = page.waitForEvent('download');
    await panel.getByRole('button', { name: 'Download train.py' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('train.py');
    expect(await readFile((await file.path())!, 'utf8')).toBe(await readFile(path.join(exported, 'train.py'), 'utf8'));
  });

  it('refuses to export into a folder that is not empty, naming it, and leaves it as it was', async () => {
    const before = await readFile(path.join(exported, 'export.json'), 'utf8');
    const panel = page.getByTestId('pytorch-export');
    await panel.getByTestId('pytorch-export-start').click();
    await expect.poll(() => panel.getByRole('alert').textContent(), POLL).toMatch(/tiny-pytorch already exists and is not empty; choose a new folder/);
    expect(await readFile(path.join(exported, 'export.json'), 'utf8')).toBe(before);
    await panel.getByRole('button', { name: 'Close' }).click();
    expect(await panel.count()).toBe(0);
  });

  it.skipIf(torch !== null)(`imports the checkpoint train.py wrote as a new run; the runs list shows it${torch ? ` — skipped: ${torch}` : ''}`, async () => {
    const out = path.join(app.browseRoot, 'cluster', 'checkpoints');
    const train = spawnSync(PYTHON, [path.join(exported, 'train.py'), '--data', prepared, '--steps', '2', '--out', out, '--threads', '1', '--validate-every', '2'], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    expect(train.status, train.stderr).toBe(0);
    expect(existsSync(path.join(out, 'last.pt'))).toBe(true);

    await page.getByTestId('runs-import').click();
    const panel = page.getByTestId('pytorch-import');
    await panel.getByLabel('a checkpoint (.pt)').check();
    await page.locator('#pytorch-import-source').fill(path.join(out, 'last.pt'));
    await page.locator('#pytorch-import-run').fill('tiny'); // taken: refused, nothing written
    await panel.getByTestId('pytorch-import-start').click();
    await expect.poll(() => panel.getByRole('alert').textContent(), POLL).toMatch(/a run named "tiny" already exists/);

    await page.locator('#pytorch-import-run').fill('from-cluster');
    await panel.getByTestId('pytorch-import-start').click();
    const result = panel.getByTestId('pytorch-import-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toMatch(/at step 4 \(last checkpoint\): .*from-cluster/);
    const table = page.getByTestId('runs-table');
    await expect.poll(() => table.locator('tbody tr').allTextContents(), POLL).toEqual(expect.arrayContaining([expect.stringMatching(/^from-cluster.*resunet \/ small/)]));
    expect(app.problems).toEqual([]);
  });
});
