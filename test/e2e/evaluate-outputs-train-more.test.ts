import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainParams } from '../../src/shared/contract';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { runTraining } from '../../src/engine/train/trainer';
import { makeTileDataset } from '../integration/train-helpers';
import { POLL, startApp, type E2EApp } from './harness';

/**
 * In the browser host (confined like `deblur-studio web`): Evaluate's default output lives in the app's data
 * folder under a name that says what it holds, follows model and test set until the user types a path of their
 * own, and the evaluation and report files can be downloaded; the Train view's runs table trains a finished run
 * N more epochs, continuing its step count, and overlays the curves of the runs ticked in it.
 */
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('Evaluate outputs and "train N more epochs" (browser host, real engine)', () => {
  let app: E2EApp;
  let page: Page;
  let dataDir: string;
  let runDir: string;

  beforeAll(async () => {
    app = await startApp({
      confine: true,
      setupRoot: async (root) => {
        const prepared = await makeTileDataset(root, { count: 8, levels: [11], split: [0.5, 0.25, 0.25] });
        const params = trainParams.parse({ dataset: prepared, runsDir: path.join(root, 'runs'), run: 'tiny', epochs: 1, batch: 2, patch: 16, stepsPerEpoch: 2, validateEvery: 2 });
        await runTraining(params, createTestContext());
        // the harness's settings file sits beside the browse root: remember the folders as the app would
        const settingsFile = path.join(root, '..', 'config', 'settings.json');
        await mkdir(path.dirname(settingsFile), { recursive: true });
        await writeFile(settingsFile, JSON.stringify({ folders: { prepared, runs: path.join(root, 'runs') } }));
      },
    });
    page = app.page;
    dataDir = path.dirname(app.settingsFile);
    runDir = path.join(app.browseRoot, 'runs', 'tiny');
    await page.getByTestId('runtime-backend').waitFor({ timeout: 90_000 });
  }, 240_000);
  afterAll(async () => {
    await app?.close();
  });

  it('Evaluate: the default output is in the data folder, named after model and test set, and follows them until typed over', async () => {
    await page.keyboard.press('Control+5');
    const out = page.locator('#evaluate-out');
    const named = (model: string) => new RegExp(`^${escape(path.join(dataDir, 'evaluations'))}/eval-${model}-on-prepared-\\d{8}-\\d{6}\\.json$`);
    await expect.poll(() => page.locator('#evaluate-model').inputValue(), POLL).toBe(runDir);
    await expect.poll(() => out.inputValue(), POLL).toMatch(named('tiny'));
    await page.locator('#evaluate-model').selectOption('default');
    await expect.poll(() => out.inputValue(), POLL).toMatch(named('default'));

    const mine = path.join(app.browseRoot, 'mine.json');
    await out.fill(mine);
    await page.locator('#evaluate-model').selectOption(runDir);
    await page.locator('#evaluate-testset').fill(path.join(app.browseRoot, 'prepared'));
    expect(await out.inputValue()).toBe(mine);
    // emptied, it takes the default again at the next change
    await out.fill('');
    await page.locator('#evaluate-model').selectOption('default');
    await page.locator('#evaluate-model').selectOption(runDir);
    await expect.poll(() => out.inputValue(), POLL).toMatch(named('tiny'));
  });

  it('Evaluate: writes there, offers the evaluation and each report file as downloads, and moves the default on', async () => {
    const out = page.locator('#evaluate-out');
    const first = await out.inputValue();
    await page.getByTestId('evaluate-start').click();
    await page.getByTestId('evaluate-result').waitFor({ timeout: 120_000 });
    expect((await stat(first)).isFile()).toBe(true);
    // the next evaluation gets a name of its own instead of asking to replace this one
    await expect.poll(() => out.inputValue(), { timeout: 5_000 }).not.toBe(first);

    const evalDownload = page.waitForEvent('download');
    await page.getByTestId('evaluate-download').click();
    const got = await evalDownload;
    expect(got.suggestedFilename()).toBe(path.basename(first));
    expect(got.url()).not.toContain(app.web.token);

    expect(await page.locator('#report-dir').inputValue()).toBe(path.join(dataDir, 'reports'));
    const stem = path.basename(first, '.json').replace(/^eval-/, 'report-');
    expect(await page.locator('#report-name').inputValue()).toBe(stem);
    await page.getByTestId('report-start').click();
    const written = page.getByTestId('report-written');
    await written.waitFor({ timeout: 120_000 });
    expect((await written.locator('li code').allTextContents()).sort()).toEqual([path.join(dataDir, 'reports', `${stem}.csv`), path.join(dataDir, 'reports', `${stem}.html`)]);
    const buttons = written.getByTestId('report-download');
    expect(await buttons.count()).toBe(2);
    const reportDownload = page.waitForEvent('download');
    await written.getByRole('button', { name: `Download ${stem}.html` }).click();
    expect((await reportDownload).suggestedFilename()).toBe(`${stem}.html`);
  });

  it('Train: a finished run offers "Train N more epochs", which continues its step count to the new length', async () => {
    await page.keyboard.press('Control+3');
    const row = page.getByTestId('runs-table').locator('tr', { hasText: 'tiny' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator('td').nth(3).textContent()).toBe('2');
    const more = row.getByTestId('runs-train-more');
    expect(await more.textContent()).toBe('Train 1 more epoch');
    await row.getByTestId('runs-more-epochs').fill('2');
    expect(await more.textContent()).toBe('Train 2 more epochs');
    expect(await row.getByRole('button', { name: 'Resume training tiny' }).count()).toBe(0);
    await more.click();
    const job = page.locator('section[aria-labelledby=train-title]').getByTestId('job-progress');
    await expect.poll(() => job.getAttribute('data-status'), { timeout: 120_000 }).toBe('finished');
    await expect.poll(() => row.locator('td').nth(3).textContent(), POLL).toBe('6');
    const config = JSON.parse(await readFile(path.join(runDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ totalSteps: 6, params: { epochs: 3 } });
  });

  it('Train: runs ticked in the table have their curves overlaid, one line per run', async () => {
    const prepared = path.join(app.browseRoot, 'prepared');
    await runTraining(
      trainParams.parse({ dataset: prepared, runsDir: path.join(app.browseRoot, 'runs'), run: 'other', epochs: 1, batch: 2, patch: 16, stepsPerEpoch: 2, validateEvery: 1, lr: 3e-4 }),
      createTestContext(),
    );
    const table = page.getByTestId('runs-table');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await table.locator('tr', { hasText: 'other' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('run-compare').count()).toBe(0);
    await table.getByRole('checkbox', { name: 'Compare tiny' }).check();
    await table.getByRole('checkbox', { name: 'Compare other' }).check();
    const compare = page.getByTestId('run-compare');
    expect(await compare.getByRole('heading').textContent()).toBe('Compare tiny, other');
    // validations: tiny at steps 2, 4, 6; other at steps 1 and 2
    await expect.poll(() => compare.getByTestId('compare-psnr').getAttribute('data-points'), POLL).toBe('5');
    expect(Number(await compare.getByTestId('compare-loss').getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
    await table.getByRole('checkbox', { name: 'Compare tiny' }).uncheck();
    await expect.poll(() => compare.getByTestId('compare-psnr').getAttribute('data-points'), POLL).toBe('2');
    expect(app.problems).toEqual([]);
  });
});
