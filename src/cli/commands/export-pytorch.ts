import path from 'node:path';
import type { Command } from 'commander';
import type { JobResult } from '../../shared/contract';
import { runJob } from '../run-job';
import { modelParam } from './deblur';

/**
 * `deblur-studio export <run|model|default> --format pytorch --out DIR`: a folder with model.py, train.py
 * (torchrun/DDP) and the weights (and a run's optimizer state), to train on a cluster. Hooked into the
 * `export` command (export.ts) by its --format.
 */
export function formatPytorchExport(r: JobResult<'export-pytorch'>): string {
  const from = r.optimizer ? `continues at step ${r.step} with its Adam state and schedule` : 'starts a fresh optimizer';
  return `wrote ${r.out}: ${r.model} (${r.preset}), ${from}\n  ${r.files.join(', ')}\n  next: torchrun --standalone --nproc_per_node 2 ${path.join(r.out, 'train.py')} --data <prepared-set> --steps 1000 --out <checkpoints> (see ${path.join(r.out, 'README.md')})`;
}

export async function exportPytorchCommand(model: string, opts: { out: string }, command?: Command): Promise<void> {
  // export's --out defaults to a file name for ONNX; a PyTorch export is a folder the user names.
  if (command?.getOptionValueSource('out') === 'default') throw new Error('name the folder to write with --out DIR (a new or empty folder)');
  const result = await runJob({ type: 'export-pytorch', params: { model: modelParam(model), out: path.resolve(opts.out) } });
  process.stdout.write(`${formatPytorchExport(result)}\n`);
}
