import path from 'node:path';
import type { Command } from 'commander';
import { freeOutputName } from '../../engine/fs/output-check';
import { runJob } from '../run-job';

/**
 * `deblur-studio report <eval.json> [--html out.html] [--csv out.csv] [--json out.json] [--pdf out.pdf] [--overwrite]`;
 * with no output named, writes the HTML next to the eval JSON under a free name. Named files that exist are
 * refused before anything is written, unless --overwrite.
 */
interface ReportOptions {
  html?: string;
  csv?: string;
  json?: string;
  pdf?: string;
  overwrite?: boolean;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('turn an evaluation JSON into a self-contained HTML report, a CSV, a JSON summary and/or a PDF (needs Chromium)')
    .argument('<eval-json>', 'file written by "eval"')
    .option('--html <file>', 'HTML report (self-contained, opens offline)')
    .option('--csv <file>', 'CSV, one row per image and level')
    .option('--json <file>', 'JSON with the numbers (no image crops)')
    .option('--pdf <file>', 'PDF printed from the HTML by headless Chromium')
    .option('--overwrite', 'replace output files that exist')
    .action(reportCommand);
}

export async function reportCommand(evalJson: string, opts: ReportOptions): Promise<void> {
  const source = path.resolve(evalJson);
  const abs = (p?: string) => (p === undefined ? undefined : path.resolve(p));
  const none = !opts.html && !opts.csv && !opts.json && !opts.pdf;
  const html = none ? await freeOutputName(path.dirname(source), path.basename(source, path.extname(source)), '.html') : abs(opts.html);
  const result = await runJob({
    type: 'report',
    params: { evalJson: source, html, csv: abs(opts.csv), json: abs(opts.json), pdf: abs(opts.pdf), overwrite: opts.overwrite === true },
  });
  for (const w of result.written) process.stdout.write(`wrote ${w}\n`);
}
