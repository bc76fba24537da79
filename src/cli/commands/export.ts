import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { JobResult } from '../../shared/contract';
import { runJob } from '../run-job';
import { modelParam } from './deblur';
import { exportPytorchCommand } from './export-pytorch';

/** `deblur-studio export <run|model|default> --format onnx --out model.onnx [--force]`: the model as an ONNX file. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('write a model (training run folder, model folder, or "default") as an ONNX file (opset 17, NHWC float32 in and out), or with --format pytorch as a folder to train it with torchrun')
    .argument('<model>', 'training run folder, model folder (with model.json), or "default"')
    .option('--format <onnx|pytorch>', 'onnx: one file; pytorch: a folder with model.py, train.py and the weights', parseFormat, 'onnx')
    .option('--out <file>', 'file to write', 'model.onnx')
    .option('--force', 'replace --out if it exists')
    .action(exportCommand);
}

function parseFormat(value: string): 'onnx' | 'pytorch' {
  if (value !== 'onnx' && value !== 'pytorch') throw new InvalidArgumentError(`"${value}" is not an export format; available: onnx, pytorch`);
  return value;
}

export function formatExportResult(r: JobResult<'export'>): string {
  return `wrote ${r.out} (${(r.bytes / 1e6).toFixed(2)} MB, ONNX opset ${r.opset}, ${r.nodes} nodes; ${r.layout})`;
}

export async function exportCommand(model: string, opts: { format: 'onnx' | 'pytorch'; out: string; force?: boolean }, command?: Command): Promise<void> {
  if (opts.format === 'pytorch') return exportPytorchCommand(model, opts, command);
  const result = await runJob({ type: 'export', params: { model: modelParam(model), format: 'onnx', out: path.resolve(opts.out), overwrite: opts.force === true } });
  process.stdout.write(`${formatExportResult(result)}\n`);
}
