import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/fixtures';
import { POLL, screenshot, startApp, type E2EApp } from './harness';

/**
 * Deblurring a whole folder in the browser host (confined like `deblur-studio web`): the picker (roots,
 * natural order, images only, thumbnails, icons), per-photo progress and the results gallery, downloads,
 * a re-run that makes no duplicates, and the small truths: field errors that clear once edited, a sign in
 * the title when a job ends in the background, and an engine indicator that stops saying "ready" when the
 * host goes away.
 */
const PHOTOS: Array<[string, string]> = [
  ['ladybird-crop-128x96.png', 's1.png'],
  ['raindrops-crop-120x80.png', 's2.png'],
  ['dune-crop-97x61.png', 's10.png'],
];

async function setup(root: string): Promise<void> {
  const dir = path.join(root, 'photos');
  await mkdir(dir, { recursive: true });
  for (const [from, to] of PHOTOS) await copyFile(fixturePath('photos', from), path.join(dir, to));
  await writeFile(path.join(dir, 'notes.txt'), 'not a photo\n');
}

async function shots(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('batch deblur (browser host, real engine)', () => {
  let app: E2EApp;
  let page: Page;
  let photos: string;

  beforeAll(async () => {
    app = await startApp({ setupRoot: setup, confine: true });
    page = app.page;
    photos = path.join(app.browseRoot, 'photos');
    await page.getByTestId('runtime-backend').waitFor({ timeout: 90_000 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('shows the host’s roots in the banner and the picker, which lists folders and images in natural order with thumbnails and drawn icons', async () => {
    await expect.poll(() => page.getByTestId('host-root').allTextContents(), POLL).toContain(app.browseRoot);
    await page.keyboard.press('Control+4');
    await page.getByTestId('deblur-mode-folder').check();
    await page.getByRole('button', { name: 'Browse for Folder of photos' }).click();
    const browser = page.getByTestId('folder-browser');
    expect(await browser.getByTestId('browser-roots').textContent()).toContain(app.browseRoot);
    const folderIcon = browser.getByTestId('icon-folder').first();
    expect((await folderIcon.boundingBox())?.width).toBeGreaterThan(10);
    await browser.getByRole('button', { name: 'Open folder photos', exact: true }).click();
    await expect.poll(() => browser.locator('.entry').allTextContents(), POLL).toEqual([' s1.png', ' s2.png', ' s10.png'].map((s) => expect.stringContaining(s.trim())));
    await expect.poll(() => browser.getByTestId('thumbnail').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth > 0)), POLL).toEqual([true, true, true]);
    await browser.getByRole('button', { name: 'Choose this folder' }).click();
    expect(await page.locator('#deblur-folder').inputValue()).toBe(photos);
    expect(await page.locator('#deblur-out').inputValue()).toBe(path.join(photos, 'deblurred'));
  });

  it('deblurs the folder with progress per photo; the gallery opens each pair in the viewer and offers downloads', async () => {
    await expect.poll(() => page.locator('#deblur-model').inputValue(), POLL).toBe('default');
    await page.getByTestId('deblur-start').click();
    await expect.poll(() => page.getByTestId('job-progress').getAttribute('data-status'), { timeout: 120_000 }).toBe('finished');
    await expect.poll(() => page.getByTestId('batch-item').evaluateAll((li) => li.map((l) => l.getAttribute('data-state'))), POLL).toEqual(['deblurred', 'deblurred', 'deblurred']);
    expect(await page.getByTestId('batch-summary').textContent()).toMatch(/3 of 3 photos · 3 deblurred/);
    expect(await page.getByTestId('batch-open-folder').count()).toBe(0); // a browser cannot open the host's folders
    const second = page.getByTestId('batch-item').filter({ hasText: 's2.png' });
    await second.getByRole('button', { name: /Compare s2\.png/ }).click();
    const viewer = page.getByTestId('compare-viewer');
    await viewer.waitFor({ timeout: 30_000 });
    await expect.poll(() => viewer.locator('img').count(), POLL).toBe(2);
    expect(await second.getAttribute('class')).toContain('selected');

    const download = page.waitForEvent('download');
    await second.getByTestId('batch-download').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('s2.png');
    expect(file.url()).toMatch(/\/download\?ticket=/);
    expect(file.url()).not.toContain(app.web.token);

    const all = page.waitForEvent('download');
    await page.getByTestId('batch-download-all').click();
    const zip = await all;
    expect(zip.suggestedFilename()).toBe('deblurred.zip');
    const unzipped = unzipSync(new Uint8Array(await readFile((await zip.path())!)));
    expect(Object.keys(unzipped).sort()).toEqual(['s1.png', 's10.png', 's2.png']);
    expect(Buffer.from(unzipped['s2.png']!).equals(await readFile(path.join(photos, 'deblurred', 's2.png')))).toBe(true);
    await shots(page, 'deblur-batch');
  });

  it('a second run skips what is done (no duplicates) and, in the background, says in the title that it ended', async () => {
    await page.evaluate(() => Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' }));
    await page.getByTestId('deblur-start').click();
    await expect.poll(() => page.getByTestId('batch-item').evaluateAll((li) => li.map((l) => l.getAttribute('data-state'))), { timeout: 120_000 }).toEqual(['kept', 'kept', 'kept']);
    expect((await readdir(path.join(photos, 'deblurred'))).sort()).toEqual(['s1.png', 's10.png', 's2.png']);
    await expect.poll(() => page.title(), POLL).toBe('Deblurring done · Deblur Studio');
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect(await page.title()).toBe('Deblur Studio');
  });

  it('clears a field’s error once the field is edited', async () => {
    await page.getByTestId('deblur-mode-photo').check();
    await page.locator('#deblur-input').fill('');
    await page.getByTestId('deblur-start').click();
    await expect.poll(() => page.getByTestId('deblur-input-note').textContent(), POLL).toBe('must not be empty');
    expect(await page.locator('#deblur-input').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#deblur-input').fill(path.join(photos, 's1.png'));
    expect(await page.getByTestId('deblur-input-note').count()).toBe(0);
    expect(await page.locator('#deblur-input').getAttribute('aria-invalid')).toBeNull();
  });

  it('a folder typed as the photo offers the batch instead of only "preview unavailable"', async () => {
    await page.locator('#deblur-input').fill(photos);
    await page.getByTestId('deblur-is-folder').waitFor({ timeout: 15_000 });
    await page.getByTestId('deblur-is-folder').getByRole('button').click();
    expect(await page.locator('#deblur-folder').inputValue()).toBe(photos);
    expect(app.problems).toEqual([]);
  });

  it('stops saying "Engine ready" when the host goes away', async () => {
    const status = page.getByTestId('engine-status');
    expect(await status.getAttribute('data-state')).toBe('ready');
    await app.web.close();
    await expect.poll(() => status.getAttribute('data-state'), POLL).toBe('unreachable');
    expect(await status.textContent()).toContain('Host unreachable');
  });
});
