/**
 * End-to-end harness: the real browser host (engine process, router, WebSocket server) in this process,
 * Debian's Chromium driven by playwright-core, a throw-away settings file and browse root.
 *
 * Needs a built renderer (`npx electron-vite build`; `npm test` builds first) and `/usr/bin/chromium`
 * (`apt-get install -y chromium`; never `npx playwright install`).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { EventMessage } from '../../src/shared/contract';
import { createNodeHost } from '../../src/host/node-host';
import { startWebHost, type WebHost } from '../../src/web/server';
import { HEADLESS_CHROMIUM_ARGS } from '../../src/engine/report/pdf';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RENDERER_DIR = path.join(REPO_ROOT, 'out', 'renderer');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');
export const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [...HEADLESS_CHROMIUM_ARGS];

export function assertPrerequisites(): void {
  if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`e2e: no built renderer at ${RENDERER_DIR}/index.html. Build it first with "npx electron-vite build" (npm test does this before the e2e tests).`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`e2e: ${CHROMIUM} not found. Install Debian's Chromium: "apt-get update && apt-get install -y chromium".`);
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * What a page reported that means something broke: uncaught errors, console errors, and every Content
 * Security Policy violation (also ones the code caught, such as a swallowed `new Function` probe).
 * Call before the page loads.
 */
export async function collectPageProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
  });
  await page.exposeFunction('__reportCspViolation', (text: string) => problems.push(`CSP violation: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCspViolation(t: string): void }).__reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline/eval'}`);
    });
  });
  return problems;
}

export interface E2EApp {
  page: Page;
  browser: Browser;
  web: WebHost;
  /** the in-process host: its supervisor owns the engine process */
  host: ReturnType<typeof createNodeHost>;
  /** the folder the in-app file browser may show (a fresh temp folder unless one was given) */
  browseRoot: string;
  settingsFile: string;
  /** every event the host broadcast, in order */
  events: EventMessage[];
  /** page errors and console errors seen so far */
  problems: string[];
  close(): Promise<void>;
}

export interface StartOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** prepares the browse root before the host starts (copy fixtures into it …) */
  setupRoot?: (root: string) => Promise<void>;
  /** confine every request's paths to the browse root and the data folder, as `deblur-studio web` does */
  confine?: boolean;
}

/** Starts engine + browser host + Chromium and opens the app with its token URL. */
export async function startApp(opts: StartOptions = {}): Promise<E2EApp> {
  assertPrerequisites();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'deblur-e2e-'));
  const browseRoot = path.join(tmp, 'files');
  await mkdir(browseRoot, { recursive: true });
  await opts.setupRoot?.(browseRoot);
  const settingsFile = path.join(tmp, 'config', 'settings.json');

  const events: EventMessage[] = [];
  let web: WebHost | null = null;
  const pending: EventMessage[] = [];
  const host = createNodeHost({
    browseRoot,
    settingsFile,
    ...(opts.confine ? { confine: {} } : {}),
    onEvent: (m) => {
      events.push(m);
      if (web) web.broadcast(m);
      else pending.push(m);
    },
  });
  let browser: Browser | null = null;
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    await web?.close().catch(() => {});
    await host.supervisor.stop().catch(() => {});
    await rm(tmp, { recursive: true, force: true });
  };
  try {
    web = await startWebHost({ route: host.route, rendererDir: RENDERER_DIR, downloads: host.downloads });
    pending.splice(0).forEach((m) => web?.broadcast(m));
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1280, height: 860 }, colorScheme: opts.colorScheme ?? 'light' });
    const problems = await collectPageProblems(page);
    await page.goto(web.url);
    return { page, browser, web, host, browseRoot, settingsFile, events, problems, close: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * Saves a screenshot to docs/screenshots/<name>.png. The app scrolls inside <main>, so a page's full
 * height is captured by growing the window to fit it for the shot (capped), then restoring it.
 */
export async function screenshot(page: Page, name: string, opts: { maxHeight?: number } = {}): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  const viewport = page.viewportSize();
  const overflow = () =>
    page.evaluate(() => {
      const main = document.querySelector('main');
      return main ? main.scrollHeight - main.clientHeight : 0;
    });
  const settle = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  // Some parts size with the window (the image viewer), so grow until nothing overflows (a few rounds at most).
  for (let round = 0; viewport && round < 4; round++) {
    const extra = await overflow();
    const current = page.viewportSize()!;
    if (extra <= 0 || current.height >= (opts.maxHeight ?? 2400)) break;
    await page.setViewportSize({ width: current.width, height: Math.min(current.height + extra, opts.maxHeight ?? 2400) });
    await settle();
  }
  await settle();
  await page.screenshot({ path: file });
  if (viewport) await page.setViewportSize(viewport);
  return file;
}

/** Waits until the host has broadcast an event matching `match` (checked against events already seen too). */
export async function waitForEvent(app: E2EApp, match: (m: EventMessage) => boolean, timeoutMs = 60_000): Promise<EventMessage> {
  const t0 = Date.now();
  for (;;) {
    const hit = app.events.find(match);
    if (hit) return hit;
    if (Date.now() - t0 > timeoutMs) throw new Error(`e2e: no matching event within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** expect.poll options for UI state that follows an engine answer: generous, as the engine may be busy. */
export const POLL = { timeout: 15_000 };
