import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { JobParams, JobResult } from '../../shared/contract';
import { parseEval, type EvalFile } from '../evaluate/eval-schema';
import { produceFileAtomic, writeFileAtomic } from '../fs/atomic';
import { assertWritableOutputFile } from '../fs/output-check';
import type { JobContext } from '../jobs/job-context';
import { evalToCsv } from './csv';
import { renderReportHtml } from './html';
import { printHtmlToPdf } from './pdf';

export const REPORT_FORMAT = 'deblur-studio/report';

/** Reads and validates an eval JSON file. */
export async function readEvalFile(file: string): Promise<EvalFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `evaluation file ${file} does not exist; run "eval" first` : `cannot read ${file}: ${(err as Error).message}`);
  }
  return parseEval(text, file);
}

/** The report's JSON: the evaluation without the example crops (the numbers only), ∞ as "Infinity". */
export function reportJson(file: EvalFile, source: string): string {
  const { format, version, examples, ...rest } = file;
  const body = { format: REPORT_FORMAT, version: 1, source: { file: source, format, version }, ...rest, examples: examples.map(({ blurred: _b, model: _m, wiener: _w, sharp: _s, ...e }) => e) };
  return `${JSON.stringify(body, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v), 2)}\n`;
}

/**
 * The `report` job: HTML, CSV, JSON and/or PDF from one eval JSON. Files are written atomically; the
 * PDF is printed from the same HTML by headless Chromium (a clear error when it is not installed,
 * after the other outputs are written).
 */
export async function runReport(params: JobParams<'report'>, ctx: JobContext): Promise<JobResult<'report'>> {
  for (const field of ['html', 'csv', 'json', 'pdf'] as const) {
    const target = params[field];
    if (target) await assertWritableOutputFile(target, { overwrite: params.overwrite, field, what: `the ${field.toUpperCase()} report` });
  }
  const file = await readEvalFile(params.evalJson);
  const written: string[] = [];
  const steps = [params.html, params.csv, params.json, params.pdf].filter(Boolean).length;
  const step = (msg: string) => ctx.progress(written.length / steps, msg);
  const html = params.html || params.pdf ? renderReportHtml(file) : null;

  const write = async (target: string, data: string) => {
    ctx.throwIfCancelled();
    await fs.mkdir(path.dirname(target), { recursive: true });
    await writeFileAtomic(target, data, { durable: false });
    written.push(target);
  };
  if (params.html) {
    step('HTML');
    await write(params.html, html!);
  }
  if (params.csv) {
    step('CSV');
    await write(params.csv, evalToCsv(file));
  }
  if (params.json) {
    step('JSON');
    await write(params.json, reportJson(file, params.evalJson));
  }
  if (params.pdf) {
    step('PDF (Chromium)');
    ctx.throwIfCancelled();
    await fs.mkdir(path.dirname(params.pdf), { recursive: true });
    // Printed from the HTML text in an isolated page (no file access), into a temp name next to the target, then renamed.
    await produceFileAtomic(
      params.pdf,
      async (tmpPdf) => {
        const { blocked } = await printHtmlToPdf(html!, tmpPdf, { signal: ctx.signal });
        if (blocked.length > 0) ctx.log('warn', `the PDF printer refused ${blocked.length} request(s) the report made (first: ${blocked[0]})`);
      },
      { durable: false },
    );
    written.push(params.pdf);
  }
  ctx.progress(1, `${written.length} file(s) written`);
  for (const w of written) ctx.log('info', `wrote ${w}`);
  return { written };
}
