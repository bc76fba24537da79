import path from 'node:path';
import type { Command } from 'commander';
import type { JobResult } from '../../shared/contract';
import { runJob } from '../run-job';
import { exitPartialIf, partialNote } from './exit-codes';

const list = (s: string): number[] => s.split(',').map((x) => Number(x.trim()));

export function formatPrepareResult(r: JobResult<'prepare'>): string {
  const partial = partialNote(r.skipped.length, r.images + r.skipped.length);
  const lines = [`prepared ${r.images} images into ${r.output} (${r.written} written, ${r.reused} already done)${partial}`];
  lines.push(`  split: ${Object.entries(r.bySplit).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (r.portrait > 0) lines.push(`  ${r.portrait} photo(s) of the other orientation than the output size (see the warnings above; --fit chooses stretch or crop)`);
  if (r.skipped.length) {
    lines.push(`  skipped ${r.skipped.length} file(s):`);
    for (const s of r.skipped) lines.push(`    ${s.path}: ${s.reason}`);
  }
  return lines.join('\n');
}

export function formatScanResult(r: JobResult<'scan'>): string {
  const lines = [`${r.images} images in ${r.folder}`];
  for (const f of r.bySubfolder) lines.push(`  ${f.folder || '.'}: ${f.images}`);
  if (r.skipped.length) {
    lines.push(`skipped ${r.skipped.length} file(s):`);
    for (const s of r.skipped) lines.push(`  ${s.path}: ${s.reason}`);
  }
  return lines.join('\n');
}

/** `prepare` and `scan`: from a folder of sharp photos to the 448×256 sharp/blurred training set. */
export function registerPrepareCommands(program: Command): void {
  program
    .command('scan <folder>')
    .description('list the images a folder holds (per sub-folder) and every file that would be skipped, with the reason')
    .action(async (folder: string) => {
      const r = await runJob({ type: 'scan', params: { folder: path.resolve(folder) } });
      process.stdout.write(`${formatScanResult(r)}\n`);
    });
  program
    .command('prepare <sharp-folder> <out-folder>')
    .description('resize every photo to 448×256 and blur it at the three levels (as OpenCV does), split by sub-folder')
    .option('--fraction <f>', 'fraction of the photos to use', '1')
    .option('--levels <k,k,k>', 'blur kernel sizes (3: σ 0.3, 7: σ 1.0, 11: σ 1.6)', '3,7,11')
    .option('--split <train,val,test>', 'split ratios', '0.8,0.1,0.1')
    .option('--seed <n>', 'seed of the split and the fraction', '1')
    .option('--size <WxH>', 'output size', '448x256')
    .option('--fit <stretch|crop>', 'photos of the other orientation (portrait for 448x256): stretch them (distorts) or crop their centred window', 'stretch')
    .action(async (source: string, output: string, o: { fraction: string; levels: string; split: string; seed: string; size: string; fit: string }) => {
      const [width, height] = o.size.split('x').map(Number);
      if (o.fit !== 'stretch' && o.fit !== 'crop') throw new Error(`--fit must be stretch or crop, got "${o.fit}"`);
      const r = await runJob({
        type: 'prepare',
        params: {
          source: path.resolve(source),
          output: path.resolve(output),
          fraction: Number(o.fraction),
          levels: list(o.levels) as Array<3 | 7 | 11>,
          split: list(o.split) as [number, number, number],
          seed: Number(o.seed),
          width,
          height,
          fit: o.fit,
        },
      });
      process.stdout.write(`${formatPrepareResult(r)}\n`);
      exitPartialIf(r.skipped.length);
    });
}
