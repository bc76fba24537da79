import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/fixtures';
import { POLL, screenshot, startApp, type E2EApp } from './harness';

/**
 * A user's path through the app, on the real engine: sharp photos → dataset → training → deblurring →
 * evaluation and report, plus navigation, labels and settings. The steps share one app (as a user would),
 * so each builds on the one before.
 */
const FLAT_PHOTOS = ['dune-640x360.png', 'ladybird-300x170.png', 'ladybird-crop-128x96.png', 'raindrops-crop-120x80.png'];
const NESTED_PHOTO = 'dune-crop-97x61.png';

async function setupPhotos(root: string): Promise<void> {
  const photos = path.join(root, 'photos');
  await mkdir(path.join(photos, 'more'), { recursive: true });
  for (const f of FLAT_PHOTOS) await copyFile(fixturePath('photos', f), path.join(photos, f));
  await copyFile(fixturePath('photos', NESTED_PHOTO), path.join(photos, 'more', NESTED_PHOTO));
  await writeFile(path.join(photos, 'notes.txt'), 'not a photo\n');
  await writeFile(path.join(photos, 'broken.jpg'), Buffer.from('this is not a JPEG at all'));
}

/** Screenshots of the current view in both schemes, back to light afterwards. */
async function screenshots(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

const int = async (page: Page, testId: string) => Number((await page.getByTestId(testId).textContent())?.replace(/[^\d]/g, '') || NaN);
const points = async (page: Page, testId: string) => Number(await page.getByTestId(testId).getAttribute('data-points'));

describe('user journeys (browser host, real engine)', () => {
  let app: E2EApp;
  let page: Page;
  let photos: string;
  let prepared: string;

  beforeAll(async () => {
    app = await startApp({ setupRoot: setupPhotos });
    page = app.page;
    photos = path.join(app.browseRoot, 'photos');
    prepared = `${photos}-prepared`;
    await page.getByTestId('runtime-backend').waitFor({ timeout: 90_000 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('switches views with Ctrl+1…6, marks the current one, and labels every control', async () => {
    const views = [
      ['home', 'Welcome to Deblur Studio'],
      ['dataset', 'Dataset'],
      ['train', 'Train'],
      ['deblur', 'Deblur'],
      ['evaluate', 'Evaluate & Report'],
      ['settings', 'Settings'],
    ] as const;
    for (const [i, [id, title]] of views.entries()) {
      await page.keyboard.press(`Control+${i + 1}`);
      const heading = page.getByRole('heading', { level: 2, name: title, exact: true });
      await heading.waitFor();
      // focus lands on the view's heading, so keyboard and screen-reader users start there
      expect(await page.evaluate(() => document.activeElement?.id)).toBe(`${id}-title`);
      expect(await page.getByTestId(`nav-${id}`).getAttribute('aria-current')).toBe('page');
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll('main input, main select, main button')]
          .filter((el) => (el as HTMLElement).offsetParent !== null)
          .filter((el) => {
            if (el instanceof HTMLButtonElement) return !(el.textContent?.trim() || el.getAttribute('aria-label'));
            const c = el as HTMLInputElement;
            return c.labels?.length === 0 && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby');
          })
          .map((el) => el.outerHTML.slice(0, 120)),
      );
      expect(unlabelled, `unlabelled controls in ${id}`).toEqual([]);
    }
    // Keyboard focus is visible: Tab from the heading reaches a control with an outline.
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
  });

  it('Home → first step → Dataset: picks the folder in the in-app browser and scans it', async () => {
    await page.keyboard.press('Control+1');
    await page.getByTestId('first-step').click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('dataset-source');

    // The browser host has no native dialog: Browse opens the in-app folder browser, confined to the root.
    await page.getByRole('button', { name: 'Browse for Folder of sharp photos' }).click();
    const browser = page.getByTestId('folder-browser');
    await browser.waitFor();
    await expect.poll(() => page.getByTestId('browser-path').textContent(), POLL).toBe(app.browseRoot);
    expect(await browser.getByRole('button', { name: '↑ Up' }).isDisabled()).toBe(true);
    await browser.getByRole('button', { name: 'Open folder photos', exact: true }).click();
    await expect.poll(() => page.getByTestId('browser-path').textContent(), POLL).toBe(photos);
    await browser.getByRole('button', { name: 'Choose this folder' }).click();
    await browser.waitFor({ state: 'detached' });
    expect(await page.locator('#dataset-source').inputValue()).toBe(photos);

    // Choosing the folder scans it.
    const summary = page.getByTestId('scan-summary');
    await summary.waitFor({ timeout: 60_000 });
    expect(await summary.locator('.stat').first().textContent()).toContain('5usable photos');
    const folders = await summary.locator('tbody tr').first().locator('..').locator('tr').allTextContents();
    expect(folders).toEqual(['(top level)4', 'more1']);
    await summary.getByText('2 files skipped — see why').click();
    const skipped = await page.getByTestId('skipped').locator('tbody tr').allTextContents();
    expect(skipped).toHaveLength(2);
    expect(skipped.find((r) => r.startsWith('broken.jpg'))!.length).toBeGreaterThan('broken.jpg'.length + 5);
    expect(skipped.find((r) => r.startsWith('notes.txt'))!.length).toBeGreaterThan('notes.txt'.length + 5);
    expect(await page.locator('#dataset-output').inputValue()).toBe(prepared);
  });

  it('Dataset: checks the split, prepares the pairs with progress, and summarises them', async () => {
    const [train, val, test] = ['Training', 'Validation', 'Test'].map((n) => page.getByLabel(n, { exact: true }));
    await train!.fill('60');
    await val!.fill('20');
    await test!.fill('10');
    await page.getByTestId('prepare').click();
    expect(await page.getByTestId('split-error').textContent()).toBe('train, validation and test must add up to 100 % (now 90 %)');
    await test!.fill('20');
    await page.getByLabel('Width (px)').fill('96');
    await page.getByLabel('Height (px)').fill('64');
    await page.getByTestId('prepare').click();
    await page.locator('[data-testid=job-progress]', { hasText: 'Preparing the dataset' }).waitFor();
    const summary = page.getByTestId('prepare-summary');
    await summary.waitFor({ timeout: 120_000 });
    const stats = await summary.locator('.stat').allTextContents();
    expect(stats).toContain('5photos');
    expect(stats).toEqual(expect.arrayContaining(['3train', '1val', '1test']));
    expect(await summary.textContent()).toContain(prepared);
    expect(existsSync(path.join(prepared, 'manifest.json'))).toBe(true);
    await screenshots(page, 'dataset');
  });

  it('Train: shows parameter counts, trains with live charts, pauses, resumes, stops, and reopens the run', async () => {
    await page.keyboard.press('Control+3');
    const trainJob = () => page.locator('section[aria-labelledby=train-title]').getByTestId('job-progress');
    expect(await page.locator('#train-dataset').inputValue()).toBe(prepared);
    expect(await page.locator('#train-runs').inputValue()).toBe(path.join(app.browseRoot, 'runs'));
    await expect.poll(() => page.getByTestId('param-count').textContent(), POLL).toMatch(/parameters of the 15\.00 M limit/);
    const presets = await page.locator('#train-preset option').allTextContents();
    expect(presets.some((p) => /^small — [\d,.]+( M)? parameters$/.test(p))).toBe(true);

    // The contract's own rules, next to the field.
    await page.getByLabel('Run name').fill('bad/name');
    await page.getByTestId('train-start').click();
    await expect.poll(() => page.locator('#train-run ~ .field-error').textContent(), POLL).toMatch(/letters, digits/);

    await page.getByLabel('Run name').fill('e2e-run');
    await page.getByLabel('Epochs').fill('500');
    await page.getByLabel('Batch size').fill('1');
    await page.getByLabel('Patch size (px)').fill('16');
    await page.getByText('Advanced').click();
    await page.getByLabel('Validate every (steps)').fill('4');
    // fine-tune the built-in model (same model and preset), rather than start from new weights
    await expect.poll(() => page.locator('#train-init option').count(), POLL).toBe(2);
    await page.locator('#train-init').selectOption('default');
    await page.getByTestId('train-start').click();

    await expect.poll(() => points(page, 'chart-loss'), { timeout: 90_000 }).toBeGreaterThan(2);
    await expect.poll(() => points(page, 'chart-psnr'), { timeout: 90_000 }).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(path.join(app.browseRoot, 'runs', 'e2e-run', 'config.json'), 'utf8')).params.init).toBe('default');
    await page.getByTestId('train-preview').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('train-preview').locator('img').count()).toBe(3);

    // Pause: the step counter stops; Resume: it moves on.
    await page.getByTestId('train-pause').click();
    // The engine answers between training steps: give it time.
    await expect.poll(() => trainJob().getAttribute('data-status'), { timeout: 60_000 }).toBe('paused');
    const stepEvents = () => app.events.filter((e) => e.event === 'train.step').length;
    let seen = -1;
    await expect.poll(async () => {
      const now = stepEvents();
      const settled = now === seen;
      seen = now;
      return settled;
    }, { interval: 1000, timeout: 20_000 }).toBe(true);
    const pausedAt = await int(page, 'stat-step');
    await page.waitForTimeout(1200);
    expect(stepEvents()).toBe(seen);
    expect(await int(page, 'stat-step')).toBe(pausedAt);
    await page.getByTestId('train-resume').click();
    await expect.poll(() => int(page, 'stat-step'), { timeout: 60_000 }).toBeGreaterThan(pausedAt);

    await page.getByTestId('train-stop').click();
    await expect.poll(() => trainJob().getAttribute('data-status'), { timeout: 60_000 }).toMatch(/finished|cancelled/);

    // The run is listed; Show redraws its charts from the saved history; it can be resumed.
    const row = page.getByTestId('runs-table').locator('tr', { hasText: 'e2e-run' });
    await row.waitFor({ timeout: 30_000 });
    await page.getByTestId('runs-table').getByRole('button', { name: 'Show the charts of e2e-run' }).click();
    await expect.poll(() => points(page, 'chart-loss'), POLL).toBeGreaterThan(2);
    expect(await page.getByTestId('train-monitor').getByRole('heading').textContent()).toBe('Run “e2e-run”');
    expect(await row.getByRole('button', { name: 'Resume training e2e-run' }).isEnabled()).toBe(true);
    await screenshots(page, 'train');

    const before = await int(page, 'stat-step');
    await row.getByRole('button', { name: 'Resume training e2e-run' }).click();
    await expect.poll(() => trainJob().textContent(), POLL).toContain('Resuming training');
    await expect.poll(() => int(page, 'stat-step'), { timeout: 60_000 }).toBeGreaterThan(before);
    await page.getByTestId('train-stop').click();
    await expect.poll(() => trainJob().getAttribute('data-status'), { timeout: 60_000 }).toMatch(/finished|cancelled/);
  });

  it('Deblur: offers the built-in model first, picks a photo and the trained model, deblurs, and compares before and after', async () => {
    await page.keyboard.press('Control+4');
    // the shipped model is the default choice, described from its model.json
    await expect.poll(() => page.locator('#deblur-model').inputValue(), POLL).toBe('default');
    expect(await page.getByTestId('deblur-model-builtin-summary').textContent()).toMatch(/held-out/);
    const runDir = path.join(app.browseRoot, 'runs', 'e2e-run');
    await page.locator('#deblur-model').selectOption(runDir);
    expect(await page.locator('#deblur-model').inputValue()).toBe(runDir);
    await page.getByRole('button', { name: 'Browse for Photo' }).click();
    const browser = page.getByTestId('folder-browser');
    await browser.getByRole('button', { name: 'Open folder photos', exact: true }).click();
    // only photos can be chosen: the text file is listed but not a button
    expect(await browser.getByRole('button', { name: 'Choose file notes.txt' }).count()).toBe(0);
    await browser.getByRole('button', { name: 'Choose file ladybird-crop-128x96.png' }).click();
    expect(await page.locator('#deblur-input').inputValue()).toBe(path.join(photos, 'ladybird-crop-128x96.png'));
    expect(await page.locator('#deblur-out').inputValue()).toBe(path.join(photos, 'deblurred'));

    await page.getByTestId('deblur-start').click();
    const result = page.getByTestId('deblur-result');
    await result.waitFor({ timeout: 90_000 });
    expect(await result.textContent()).toMatch(/Saved .*deblurred.*ladybird-crop-128x96.*\(128×96/);
    // the blur estimator needs a 256×256 tile: for this crop the view says so rather than guess
    expect(await page.getByTestId('deblur-blur').textContent()).toBe('estimated blur: unknown (the photo is smaller than 256×256)');
    const viewer = page.getByTestId('compare-viewer');
    await viewer.waitFor({ timeout: 30_000 });
    const srcs = await viewer.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).src.slice(0, 22)));
    expect(srcs).toEqual(['data:image/png;base64,', 'data:image/png;base64,']);
    await screenshots(page, 'deblur');

    // a blur the user knows is undone even where none can be estimated; a σ out of range is named at the field
    await page.getByTestId('deblur-sigma').fill('9');
    await page.getByTestId('deblur-start').click();
    await expect.poll(() => page.locator('#deblur-sigma-note').textContent(), POLL).toMatch(/<=5/);
    await page.getByTestId('deblur-sigma').fill('1.6');
    await page.getByTestId('deblur-start').click();
    await expect.poll(async () => (await page.getByTestId('deblur-route').count()) > 0 && (await page.getByTestId('deblur-route').textContent()), { timeout: 90_000 }).toMatch(/Wiener filter \(11×11 σ 1\.60\)/);
    await page.getByTestId('deblur-sigma').fill('');
  });

  it('Evaluate & Report: evaluates against the baselines, shows the tables, and exports a report', async () => {
    await page.keyboard.press('Control+5');
    expect(await page.locator('#evaluate-testset').inputValue()).toBe(prepared);
    const runDir = path.join(app.browseRoot, 'runs', 'e2e-run');
    await expect.poll(() => page.locator('#evaluate-model').inputValue(), POLL).toBe(runDir);
    // the evaluation goes to the app's data folder, named after the model, the test set and the time
    const evalOut = await page.locator('#evaluate-out').inputValue();
    expect(path.basename(path.dirname(evalOut))).toBe('evaluations');
    expect(path.basename(evalOut)).toMatch(/^eval-e2e-run-on-photos-prepared-\d{8}-\d{6}\.json$/);
    await page.getByTestId('evaluate-start').click();
    await page.getByTestId('evaluate-result').waitFor({ timeout: 120_000 });

    const summary = page.getByTestId('evaluation-summary');
    await summary.waitFor({ timeout: 30_000 });
    const rows = await summary.locator('tbody tr th').allTextContents();
    expect(rows).toEqual(['3 px', '7 px', '11 px', 'all levels']);
    const firstRow = await summary.locator('tbody tr').first().locator('td').allTextContents();
    // photos, then model / blurred / Wiener as "xx.xx dB / 0.xxx", then the gain
    expect(firstRow[0]).toBe('1');
    for (const cell of firstRow.slice(1, 4)) expect(cell).toMatch(/^\d+\.\d\d dB \/ [01]\.\d{3}$/);
    expect(firstRow[4]).toMatch(/^[+−]\d+\.\d\d dB$/);
    expect(await page.getByTestId('evaluation-images').locator('tbody tr').count()).toBe(3);
    // blur estimation: true level (rows) × estimated level (columns); these 96×64 photos are smaller than the
    // estimator's 256×256 tile, so none is counted and the caption says why: 0 + 3 = the 3 photos scored
    const blurTable = page.getByTestId('evaluation-blur-confusion');
    expect(await blurTable.locator('tbody tr th').allTextContents()).toEqual(['3×3 σ 0.3', '7×7 σ 1.0', '11×11 σ 1.6']);
    const counts = (await blurTable.locator('tbody td').allTextContents()).map(Number);
    expect(counts).toHaveLength(9);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(0);
    expect(await blurTable.locator('caption').textContent()).toContain('blur levels estimated right: – (0/0; 3 image(s) smaller than 256×256 not estimated)');
    // best/worst crops: blurred, model, Wiener and sharp, as images
    const example = page.getByTestId('evaluation-examples').locator('figure.example').first();
    expect(await example.locator('img').count()).toBe(4);
    expect(await example.locator('img').first().getAttribute('src')).toMatch(/^data:image\/png;base64,/);

    await page.getByTestId('report-start').click();
    const written = page.getByTestId('report-written');
    await written.waitFor({ timeout: 120_000 });
    const files = await written.locator('li code').allTextContents();
    // reports go next to the evaluations, named after the evaluation
    const report = path.join(path.dirname(path.dirname(evalOut)), 'reports', path.basename(evalOut, '.json').replace(/^eval-/, 'report-'));
    // each written file is listed with a download link in the browser host
    expect(files.map((f) => f.replace(/\s*Download$/, '')).sort()).toEqual([`${report}.csv`, `${report}.html`]);
    expect(await readFile(`${report}.html`, 'utf8')).toContain('<html');
    await screenshots(page, 'evaluate');
  });

  it('Settings shows the folders the app remembered; the log lists what the jobs reported', async () => {
    await page.keyboard.press('Control+6');
    expect(await page.locator('#settings-folder-dataset').inputValue()).toBe(photos);
    expect(await page.locator('#settings-folder-prepared').inputValue()).toBe(prepared);
    expect(await page.locator('#settings-folder-runs').inputValue()).toBe(path.join(app.browseRoot, 'runs'));
    const saved = JSON.parse(await readFile(app.settingsFile, 'utf8'));
    expect(saved.folders).toMatchObject({ dataset: photos, prepared, runs: path.join(app.browseRoot, 'runs') });

    await page.getByTestId('log-toggle').click();
    const log = page.getByTestId('log-panel');
    await log.waitFor();
    expect(await log.locator('li').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Close the log' }).click();
    await screenshots(page, 'settings');
    expect(app.problems).toEqual([]);
  });
});
