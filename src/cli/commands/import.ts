import path from 'node:path';
import type { Command } from 'commander';
import type { JobResult } from '../../shared/contract';
import { runJob } from '../run-job';

/** `deblur-studio import DIR|checkpoint.pt --run NAME [--runs-dir DIR] [--dataset DIR]`: a PyTorch checkpoint of the exported train.py → a new run. */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description("turn a checkpoint of an exported train.py (its --out folder, or a .pt file) into a new training run the app opens")
    .argument('<checkpoint>', 'train.py --out folder (last.pt, best.pt, history.jsonl) or one .pt file')
    .requiredOption('--run <name>', 'name of the new run (an existing run is never written into)')
    .option('--runs-dir <dir>', 'folder that holds the runs', 'runs')
    .option('--dataset <dir>', 'the prepared set the run refers to (default: the exported run\'s)')
    .action(importCommand);
}

export function formatImportResult(r: JobResult<'import-pytorch'>): string {
  return `${r.runDir}: step ${r.step}, checkpoints ${r.checkpoints.join(' + ')}, ${r.historyEntries} history entries`;
}

export async function importCommand(checkpoint: string, opts: { run: string; runsDir: string; dataset?: string }): Promise<void> {
  const result = await runJob({
    type: 'import-pytorch',
    params: { source: path.resolve(checkpoint), runsDir: path.resolve(opts.runsDir), run: opts.run, dataset: opts.dataset === undefined ? null : path.resolve(opts.dataset) },
  });
  process.stdout.write(`${formatImportResult(result)}\n`);
}
