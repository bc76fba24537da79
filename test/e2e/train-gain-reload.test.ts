import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeEval, type ImageRow } from '../../src/shared/contract';
import { fixturePath } from '../helpers/fixtures';
import { minimalEval } from '../integration/eval-support';
import { POLL, startApp, waitForEvent, type E2EApp } from './harness';

/**
 * Issue 14.3 and 14.7 in the browser, on the real engine: a training that makes photos worse than the blurred
 * input says so (per blur level, as a warning, not in green), a small data set suggests the built-in model and a
 * fine-tune starts at the fine-tuning rate, a reload mid-training rebuilds the charts and the run on screen from
 * the run's history, and an opened evaluation headlines its gain and warns about a losing level.
 */
const PHOTOS = ['dune-640x360.png', 'ladybird-300x170.png', 'ladybird-crop-128x96.png', 'raindrops-crop-120x80.png'];
const points = async (page: Page, testId: string) => Number(await page.getByTestId(testId).getAttribute('data-points'));

describe('gain over the blurred input, and a reload mid-training (browser host, real engine)', () => {
  let app: E2EApp;
  let page: Page;
  let prepared: string;

  beforeAll(async () => {
    app = await startApp({
      setupRoot: async (root) => {
        await mkdir(path.join(root, 'photos'), { recursive: true });
        for (const f of PHOTOS) await copyFile(fixturePath('photos', f), path.join(root, 'photos', f));
      },
    });
    page = app.page;
    prepared = path.join(app.browseRoot, 'prepared');
    const { jobId } = (await app.host.route('job.start', {
      type: 'prepare',
      params: { source: path.join(app.browseRoot, 'photos'), output: prepared, width: 64, height: 32, split: [0.5, 0.5, 0] },
    })) as { jobId: string };
    await waitForEvent(app, (m) => (m.event === 'job.finished' || m.event === 'job.failed') && m.payload.jobId === jobId, 90_000);
    await app.host.route('settings.set', { folders: { prepared, runs: path.join(app.browseRoot, 'runs') } });
    await page.reload();
    await page.getByTestId('runtime-backend').waitFor({ timeout: 90_000 });
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  it('Train: suggests the built-in model for a small set, and a fine-tune starts at the lower learning rate', async () => {
    await page.keyboard.press('Control+3');
    await expect.poll(() => page.locator('#train-dataset').inputValue(), POLL).toBe(prepared);
    await expect.poll(() => page.getByTestId('train-suggest-builtin').textContent(), POLL).toMatch(/Only 2 training photos/);
    expect(await page.getByLabel('Learning rate').inputValue()).toBe('0.001');
    await page.getByTestId('train-suggest-builtin').getByRole('button', { name: 'Start from the built-in model' }).click();
    expect(await page.locator('#train-init').inputValue()).not.toBe('');
    expect(await page.getByLabel('Learning rate').inputValue()).toBe('0.0001');
    await expect.poll(() => page.getByTestId('train-suggest-builtin').count(), POLL).toBe(0);
    // starting from the built-in model trains it as what it is: the kernel-aware wiener-resunet
    expect(await page.locator('#train-model').inputValue()).toBe('wiener-resunet');
    await expect.poll(() => page.getByTestId('train-kernel-aware-hint').count(), POLL).toBe(1);
    await page.locator('#train-init').selectOption({ label: 'New weights' });
    expect(await page.getByLabel('Learning rate').inputValue()).toBe('0.001');
  });

  it('Train: a run worse than the blurred input warns per level; a reload mid-run rebuilds its charts and name', async () => {
    await page.getByLabel('Run name').fill('gain-run');
    // a blind model (a kernel-aware one keeps the Wiener filter's output at σ 0.3, so it would not be worse there)
    await page.locator('#train-model').selectOption('resunet');
    await page.getByLabel('Epochs').fill('500');
    await page.getByLabel('Batch size').fill('1');
    await page.getByLabel('Patch size (px)').fill('16');
    await page.getByText('Advanced').click();
    await page.getByLabel('Validate every (steps)').fill('2');
    await page.getByTestId('train-start').click();

    // New weights, a few steps: nearly sharp (σ 0.3) inputs are far sharper than the model's output.
    await page.getByTestId('train-gain').waitFor({ timeout: 90_000 });
    await expect.poll(() => page.getByTestId('train-gain-warning').textContent(), { timeout: 60_000 }).toMatch(/Worse than the blurred input.*σ 0\.3 \(3 px\) \(−/s);
    await expect.poll(() => points(page, 'chart-loss'), { timeout: 90_000 }).toBeGreaterThan(4);
    const before = await points(page, 'chart-loss');

    await page.reload();
    await page.keyboard.press('Control+3');
    // the curves before the reload come back from the run's history, and the live ones continue them
    await expect.poll(() => points(page, 'chart-loss'), { timeout: 90_000 }).toBeGreaterThanOrEqual(before);
    await expect.poll(() => points(page, 'chart-psnr'), POLL).toBeGreaterThan(0);
    expect(await page.getByTestId('train-monitor').getByRole('heading').textContent()).toBe('Run “gain-run”');
    expect(await page.locator('#train-run').inputValue()).toBe('gain-run');
    await page.getByTestId('train-gain-warning').waitFor({ timeout: 30_000 });

    await page.getByTestId('train-stop').click();
    const result = page.getByTestId('train-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.getAttribute('class')).toContain('warn');
    expect(await result.textContent()).toMatch(/worse than the blurred input/);
    expect(await page.getByTestId('train-gain').textContent()).toMatch(/best|validation at step/);
  });

  it('Evaluate: an opened evaluation headlines its gain per level and warns about the losing one', async () => {
    const row = (name: string, level: string, model: number, identity: number): ImageRow => ({
      name, level, kernel: Number(level.slice(6)), sigma: null, width: 16, height: 16, blurred: '/b.png', sharp: '/s.png',
      model: { psnr: model, ssim: 0.9 }, identity: { psnr: identity, ssim: 0.8 }, wiener: null, ms: 1, blur: null,
    });
    const file = path.join(app.browseRoot, 'worse.json');
    await writeFile(file, serializeEval(minimalEval([row('a', 'blur_k3', 46.6, 66), row('a', 'blur_k11', 29.2, 26.9), row('b', 'blur_k11', Infinity, Infinity)])));
    await page.keyboard.press('Control+5');
    await page.locator('#evaluate-open').fill(file);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const warning = page.getByTestId('evaluation-gain-warning');
    await warning.waitFor({ timeout: 30_000 });
    expect(await warning.textContent()).toMatch(/blur_k3 \(−19\.40 dB\)/);
    expect(await page.getByTestId('evaluation-gain').locator('li[data-verdict=gain]').textContent()).toMatch(/blur_k11.*\+2\.30 dB/s);
    expect(app.problems).toEqual([]);
  });
});
