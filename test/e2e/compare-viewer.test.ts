import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Browser, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost, type WebHost } from '../../src/web/server';
import { fixturePath } from '../helpers/fixtures';
import { POLL, assertPrerequisites, collectPageProblems, launchChromium, screenshot } from './harness';

/**
 * The before/after viewer on its own: the app's CompareViewer component, built into a one-component page and
 * served by the real browser host's static server (so under the app's CSP), fed two images.
 */
const PAGE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'viewer-page');
const RED = [200, 40, 40];
const BLUE = [40, 40, 200];

async function solidPng(rgb: number[], width: number, height: number): Promise<string> {
  const png = await sharp({ create: { width, height, channels: 3, background: { r: rgb[0]!, g: rgb[1]!, b: rgb[2]! } } })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

async function photoPair(): Promise<{ before: string; after: string }> {
  const sharpPng = await sharp(fixturePath('photos', 'ladybird-300x170.png')).png().toBuffer();
  const blurred = await sharp(sharpPng).blur(2.5).png().toBuffer();
  return { before: `data:image/png;base64,${blurred.toString('base64')}`, after: `data:image/png;base64,${sharpPng.toString('base64')}` };
}

interface Transform {
  x: number;
  y: number;
  zoom: number;
}
function parseTransform(style: string | null): Transform {
  const m = /translate\((-?[\d.e-]+)px, (-?[\d.e-]+)px\) scale\(([\d.e-]+)\)/.exec(style ?? '');
  if (!m) throw new Error(`no viewer transform in style "${style}"`);
  return { x: Number(m[1]), y: Number(m[2]), zoom: Number(m[3]) };
}
const transformOf = async (img: Locator) => parseTransform(await img.getAttribute('style'));

/** The colour at (x, y) of an element's on-screen pixels. */
async function pixelAt(el: Locator, x: number, y: number): Promise<number[]> {
  const png = await el.screenshot();
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (Math.round(y) * info.width + Math.round(x)) * info.channels;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}
function expectColour(actual: number[], expected: number[], tolerance = 6): void {
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]!), `channel ${i}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance));
}

describe('CompareViewer (isolated, real Chromium, app CSP)', () => {
  let outDir: string;
  let web: WebHost;
  let browser: Browser;

  beforeAll(async () => {
    assertPrerequisites();
    outDir = await mkdtemp(path.join(os.tmpdir(), 'deblur-viewer-page-'));
    await build({
      root: PAGE_DIR,
      configFile: false,
      base: './',
      mode: 'production',
      logLevel: 'warn',
      plugins: [svelte()],
      build: { outDir, emptyOutDir: true },
    });
    // No engine here: every API call is refused; the page makes none.
    web = await startWebHost({ rendererDir: outDir, route: async () => Promise.reject(new Error('no API in this test')) });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  async function openViewer(images: { before: string; after: string }, colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1000, height: 720 }, colorScheme });
    const problems = await collectPageProblems(page);
    await page.addInitScript((imgs) => {
      window.__viewerImages = imgs;
    }, images);
    await page.goto(web.url);
    await page.getByTestId('compare-viewer').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=img-before]')?.getAttribute('width') !== null);
    return { page, problems };
  }

  it('fits the image, zooms with buttons, keys and wheel, and pans — both images in lockstep', async () => {
    const { page, problems } = await openViewer({ before: await solidPng(RED, 160, 120), after: await solidPng(BLUE, 160, 120) });
    const pane = page.getByTestId('pane');
    const before = page.getByTestId('img-before');
    const after = page.getByTestId('img-after');
    const box = (await pane.boundingBox())!;
    // border 1 px on each side
    const fitZoom = Math.min((box.width - 2) / 160, (box.height - 2) / 120);

    const fitted = await transformOf(before);
    expect(fitted.zoom).toBeCloseTo(fitZoom, 3);
    expect(await page.getByTestId('zoom-level').textContent()).toBe(`${Math.round(fitZoom * 100)} %`);
    expect(await transformOf(after)).toEqual(fitted);

    await page.getByTestId('zoom-100').click();
    expect(await page.getByTestId('zoom-level').textContent()).toBe('100 %');
    expect((await transformOf(before)).zoom).toBe(1);

    // Keyboard: focus stays on the 100 % button, inside the viewer; "+" zooms by one step.
    await page.keyboard.press('+');
    expect(await page.getByTestId('zoom-level').textContent()).toBe('125 %');
    await page.keyboard.press('0');
    expect((await transformOf(before)).zoom).toBeCloseTo(fitZoom, 3);

    // Wheel zoom keeps the image point under the cursor in place.
    const cx = box.x + box.width * 0.3;
    const cy = box.y + box.height * 0.4;
    const t0 = await transformOf(before);
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, -300);
    await page.waitForFunction((z) => !document.querySelector('[data-testid=img-before]')?.getAttribute('style')?.includes(`scale(${z})`), t0.zoom);
    const t1 = await transformOf(before);
    expect(t1.zoom).toBeGreaterThan(t0.zoom);
    const local = { x: cx - box.x - 1, y: cy - box.y - 1 };
    expect((local.x - t1.x) / t1.zoom).toBeCloseTo((local.x - t0.x) / t0.zoom, 1);
    expect((local.y - t1.y) / t1.zoom).toBeCloseTo((local.y - t0.y) / t0.zoom, 1);
    expect(await transformOf(after)).toEqual(t1);

    // Drag pans by exactly the pointer's movement.
    await page.mouse.move(box.x + 100, box.y + 100);
    await page.mouse.down();
    await page.mouse.move(box.x + 130, box.y + 120, { steps: 3 });
    await page.mouse.up();
    const t2 = await transformOf(before);
    expect(t2.x - t1.x).toBeCloseTo(30, 5);
    expect(t2.y - t1.y).toBeCloseTo(20, 5);
    expect(t2.zoom).toBe(t1.zoom);
    expect(await transformOf(after)).toEqual(t2);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows before left and after right of a draggable, keyboard-operable split', async () => {
    const { page, problems } = await openViewer({ before: await solidPng(RED, 160, 120), after: await solidPng(BLUE, 160, 120) });
    const pane = page.getByTestId('pane');
    const handle = page.getByTestId('split-handle');
    const box = (await pane.boundingBox())!;
    const midY = box.height / 2;
    // Fit: the image spans the pane's height; sample inside it, left and right of the centre split.
    const imgLeft = (await page.getByTestId('img-before').boundingBox())!.x - box.x;
    const imgWidth = (await page.getByTestId('img-before').boundingBox())!.width;
    const at = (f: number) => imgLeft + imgWidth * f;
    expect(await handle.getAttribute('aria-valuenow')).toBe('50');
    expectColour(await pixelAt(pane, at(0.2), midY), RED);
    expectColour(await pixelAt(pane, at(0.8), midY), BLUE);

    // Drag the handle to 75 % across the image: the point at 60 % now shows "before", at 90 % "after".
    const hb = (await handle.boundingBox())!;
    const target = at(0.75);
    await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + target, hb.y + hb.height / 2, { steps: 4 });
    await page.mouse.up();
    // pane coordinates include its 1 px border; the split is measured inside it
    const expected = Math.round(((target - 1) / (box.width - 2)) * 100);
    expect(Math.abs(Number(await handle.getAttribute('aria-valuenow')) - expected)).toBeLessThanOrEqual(1);
    expectColour(await pixelAt(pane, at(0.6), midY), RED);
    expectColour(await pixelAt(pane, at(0.9), midY), BLUE);

    // Keyboard: arrows move it 2 % a step, Home/End to the edges.
    await handle.focus();
    const v = Number(await handle.getAttribute('aria-valuenow'));
    await page.keyboard.press('ArrowLeft');
    expect(Number(await handle.getAttribute('aria-valuenow'))).toBe(v - 2);
    await page.keyboard.press('Home');
    expect(await handle.getAttribute('aria-valuenow')).toBe('0');
    expectColour(await pixelAt(pane, at(0.2), midY), BLUE);
    await page.keyboard.press('End');
    expectColour(await pixelAt(pane, at(0.8), midY), RED);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('side by side keeps both panes on the same zoom and pan; the difference shows |after − before| amplified', async () => {
    const { page, problems } = await openViewer({ before: await solidPng(RED, 160, 120), after: await solidPng(BLUE, 160, 120) });
    await page.getByTestId('mode-side').click();
    const panes = page.getByTestId('pane');
    await expect.poll(() => panes.count(), POLL).toBe(2);
    const before = page.getByTestId('img-before');
    const after = page.getByTestId('img-after');
    await page.getByTestId('zoom-100').click();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    const right = (await panes.nth(1).boundingBox())!;
    await page.mouse.move(right.x + 50, right.y + 50);
    await page.mouse.down();
    await page.mouse.move(right.x + 10, right.y + 70, { steps: 2 });
    await page.mouse.up();
    const t = await transformOf(before);
    expect(t.zoom).toBe(1.25);
    expect(await transformOf(after)).toEqual(t);

    // |(40,40,200) − (200,40,40)| × 4, clipped: (255, 0, 255)
    await page.getByTestId('toggle-diff').click();
    await expect.poll(() => page.getByTestId('img-after').getAttribute('alt'), POLL).toBe('Difference ×4');
    expect(await after.getAttribute('src')).not.toBe(await before.getAttribute('src'));
    await expect.poll(() => page.getByTestId('toggle-diff').getAttribute('aria-pressed'), POLL).toBe('true');
    await page.waitForFunction(() => (document.querySelector('[data-testid=img-after]') as HTMLImageElement).complete);
    const ab = (await after.boundingBox())!;
    const pb = (await panes.nth(1).boundingBox())!;
    const sx = Math.max(ab.x, pb.x) + 5 - pb.x;
    const sy = Math.max(ab.y, pb.y) + 5 - pb.y;
    expectColour(await pixelAt(panes.nth(1), sx, sy), [255, 0, 255]);
    expectColour(await pixelAt(panes.nth(0), sx, sy), RED);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders a real photo pair (screenshots in light and dark)', async () => {
    const images = await photoPair();
    for (const scheme of ['light', 'dark'] as const) {
      const { page, problems } = await openViewer(images, scheme);
      await page.getByTestId('split-handle').focus();
      for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
      await page.getByTestId('zoom-100').focus();
      await screenshot(page, `compare-viewer-${scheme}`);
      expect(problems).toEqual([]);
      await page.close();
    }
  });
});
