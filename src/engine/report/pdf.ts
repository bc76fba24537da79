import { existsSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import type { Browser, Page } from 'playwright-core';

/**
 * PDF from the report's HTML, printed by headless Chromium (the same engine that renders the page, so
 * the PDF shows exactly the HTML), driven through playwright-core. Chromium is not bundled:
 * DEBLUR_CHROMIUM names one, else the usual install paths are tried.
 *
 * The page is isolated, whatever its HTML holds: JavaScript is off, the HTML is served from a made-up
 * http origin (so no file:// URL can be loaded or navigated to from it), and every request other than
 * that one document is refused without touching the network — images from data: URLs need none.
 */

/** Flags for a headless Debian Chromium on a closed network (the PDF printer and the e2e tests use the same). */
export const HEADLESS_CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
const PRINT_TIMEOUT_MS = 120_000;
/** Where the isolated page is served from: .invalid never resolves, and nothing but this one URL is answered. */
export const REPORT_PAGE_URL = 'http://report.invalid/report.html';

export type PaperFormat = 'A4' | 'Letter';

export class ChromiumMissingError extends Error {
  constructor() {
    super(
      `a PDF needs Chromium, which is not installed here (looked for ${CHROMIUM_CANDIDATES.join(', ')}); ` +
        'install it (Debian/Ubuntu: apt-get install chromium) or set DEBLUR_CHROMIUM to its path; the HTML report prints to PDF from any browser too',
    );
    this.name = 'ChromiumMissingError';
  }
}

export function findChromium(): string | null {
  const fromEnv = process.env.DEBLUR_CHROMIUM;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

async function launch(executablePath: string): Promise<Browser> {
  // Named at run time so bundlers leave it out: it is only needed (and only loaded) for a PDF.
  const moduleName = 'playwright-core';
  let pw: typeof import('playwright-core');
  try {
    pw = (await import(/* @vite-ignore */ moduleName)) as typeof import('playwright-core');
  } catch (err) {
    throw new Error(`a PDF needs the playwright-core package to drive Chromium, and it cannot be loaded: ${(err as Error).message}`);
  }
  return pw.chromium.launch({ executablePath, args: [...HEADLESS_CHROMIUM_ARGS, '--disable-extensions'], timeout: PRINT_TIMEOUT_MS });
}

/**
 * Opens `html` in an isolated page (see above) and hands it to `use`; `blocked` lists every request the
 * page tried and was refused. The browser is closed afterwards, and at once when `signal` aborts.
 */
export async function withIsolatedPage<T>(html: string, use: (page: Page, blocked: readonly string[]) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const chromium = findChromium();
  if (!chromium) throw new ChromiumMissingError();
  signal?.throwIfAborted();
  const browser = await launch(chromium);
  const onAbort = () => void browser.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, serviceWorkers: 'block', acceptDownloads: false });
    const blocked: string[] = [];
    let served = false;
    await context.route('**/*', async (route) => {
      const req = route.request();
      if (!served && req.url() === REPORT_PAGE_URL && req.isNavigationRequest()) {
        served = true;
        await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      } else {
        blocked.push(req.url());
        // A refused navigation (a <meta refresh>, a frame) answered with 204 leaves the page where it is;
        // aborting it would swap the report for Chromium's error page.
        if (req.isNavigationRequest()) await route.fulfill({ status: 204, body: '' });
        else await route.abort('blockedbyclient');
      }
    });
    const page = await context.newPage();
    await page.goto(REPORT_PAGE_URL, { waitUntil: 'load', timeout: PRINT_TIMEOUT_MS });
    return await use(page, blocked);
  } catch (err) {
    signal?.throwIfAborted();
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await browser.close().catch(() => undefined);
  }
}

export interface PrintOptions {
  signal?: AbortSignal;
  /** paper size; default Letter (what Chromium printed before) */
  format?: PaperFormat;
}

/** Prints `html` (the page's text, not a file) to `pdfFile` (overwritten); returns the requests it refused. */
export async function printHtmlToPdf(html: string, pdfFile: string, opts: PrintOptions = {}): Promise<{ blocked: string[] }> {
  const blocked = await withIsolatedPage(
    html,
    async (page, refused) => {
      await page.pdf({ path: pdfFile, format: opts.format ?? 'Letter', printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } });
      return [...refused];
    },
    opts.signal,
  ).catch((err: unknown) => {
    if (err instanceof ChromiumMissingError || (err as Error).name === 'AbortError') throw err;
    throw new Error(`Chromium could not print the PDF ${pdfFile}: ${(err as Error).message.split('\n')[0]}`);
  });
  const stat = await fs.stat(pdfFile).catch(() => null);
  if (!stat || stat.size === 0) throw new Error(`Chromium finished but wrote no PDF at ${pdfFile}`);
  return { blocked };
}
