import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * PDF from the report's HTML, printed by headless Chromium (the same engine that renders the page,
 * so the PDF shows exactly the HTML). Chromium is not bundled: DEBLUR_CHROMIUM names one, else the
 * usual install paths are tried.
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

/** Prints `htmlFile` to `pdfFile` (overwritten); throws ChromiumMissingError or Chromium's own failure. */
export async function printHtmlToPdf(htmlFile: string, pdfFile: string, signal?: AbortSignal): Promise<void> {
  const chromium = findChromium();
  if (!chromium) throw new ChromiumMissingError();
  // A private profile: no clash with a running browser, nothing left behind.
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'deblur-chromium-'));
  try {
    const args = [
      ...HEADLESS_CHROMIUM_ARGS,
      '--disable-extensions',
      `--user-data-dir=${profile}`,
      '--no-pdf-header-footer',
      `--print-to-pdf=${pdfFile}`,
      pathToFileURL(htmlFile).href,
    ];
    await new Promise<void>((resolve, reject) => {
      execFile(chromium, args, { timeout: PRINT_TIMEOUT_MS, signal, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
        if (err) reject(new Error(`Chromium (${chromium}) could not print the PDF: ${err.message.split('\n')[0]}${stderr ? `; ${String(stderr).trim().split('\n').slice(-3).join(' ')}` : ''}`));
        else resolve();
      });
    });
    const stat = await fs.stat(pdfFile).catch(() => null);
    if (!stat || stat.size === 0) throw new Error(`Chromium (${chromium}) finished but wrote no PDF at ${pdfFile}`);
  } finally {
    await fs.rm(profile, { recursive: true, force: true });
  }
}
