/**
 * One training step of the fixed workload W on TF.js backends vs PyTorch on the CPU, in one run.
 *
 * W: batch 4 × 128×128×3; conv 3→32, six conv 32→32 (3×3, same) with ReLU, conv 32→3, residual
 * add; MSE; Adam. A step is forward + backward + Adam update, done when its loss is read.
 *
 * Usage: node bin/tsx.mjs bench/train-step.ts [--steps N] [--warmup N] [--cpu-steps N] [--no-cpu] [--no-doc]
 *        [--torch-device cpu|cuda|auto] [--webgpu-on-software] [--size N (image side, default 128; smaller only to check the paths)]
 * Each configuration runs in its own process (the wasm build is fixed per process); the report is
 * printed and written between the markers of docs/benchmarks/train-step.md. The cpu backend takes
 * ~20 minutes per step on 2 cores: --no-cpu skips it. webgpu is timed only on a hardware adapter; on a
 * software one (llvmpipe) the report says so and skips it, unless --webgpu-on-software (a check that
 * the path works, labelled as such — never a GPU number). --torch-device auto uses CUDA when PyTorch has it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { probeWebGpuAdapter } from '../src/engine/runtime/backends/webgpu';
import { machine, median } from './lib';

interface StepResult {
  label: string;
  backend: string;
  threads: number;
  simd: boolean | null;
  msPerStep: number;
  minMs: number;
  steps: number;
  /** CPU time (all threads) per step: a load-independent measure of work. */
  cpuMsPerStep: number | null;
  note?: string;
}

const root = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    child: { type: 'string' },
    threads: { type: 'string' },
    steps: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    'cpu-steps': { type: 'string', default: '1' },
    'no-cpu': { type: 'boolean', default: false },
    'no-doc': { type: 'boolean', default: false },
    'torch-device': { type: 'string', default: 'cpu' },
    'webgpu-on-software': { type: 'boolean', default: false },
    size: { type: 'string', default: '128' },
  },
});


/** Child: measures one backend configuration and prints one JSON line. */
async function runChild(label: string): Promise<void> {
  const { selectRuntime } = await import('../src/engine/runtime/select');
  const tf = await import('../src/engine/runtime/tf');
  const force = label === 'auto' ? undefined : (label.split(':')[0] as 'wasm' | 'cpu' | 'webgpu');
  const threads = args.threads != null ? Number(args.threads) : undefined;
  const report = await selectRuntime({ force, threads });

  const side = Number(args.size);
  const input = tf.input({ shape: [side, side, 3] });
  let h = tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as never;
  for (let i = 0; i < 6; i++) {
    h = tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(h) as never;
  }
  const residual = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(h) as never;
  const output = tf.layers.add().apply([input, residual]) as never;
  const model = tf.model({ inputs: input, outputs: output });
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([4, side, side, 3], 0, 1, 'float32', 1);
  const y = tf.randomUniform([4, side, side, 3], 0, 1, 'float32', 2);
  const vars = model.trainableWeights.map((w) => w.read() as unknown as import('../src/engine/runtime/tf').Variable);

  const step = async (): Promise<[number, number]> => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const loss = optimizer.minimize(
      () => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as import('../src/engine/runtime/tf').Tensor),
      true,
      vars,
    );
    await loss!.data();
    loss!.dispose();
    const cpu = process.cpuUsage(cpu0);
    return [performance.now() - t0, (cpu.user + cpu.system) / 1000];
  };

  const cpuBackend = report.backend === 'cpu';
  // The cpu backend has no operator caches to warm and takes minutes per step: no warm-up there.
  const warmup = cpuBackend ? 0 : Number(args.warmup);
  const steps = cpuBackend ? Number(args['cpu-steps']) : Number(args.steps);
  for (let i = 0; i < warmup; i++) await step();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const [w, c] = await step();
    wall.push(w);
    cpu.push(c);
  }
  const result: StepResult = {
    label,
    backend: report.backend,
    threads: report.threads,
    simd: report.simd,
    msPerStep: median(wall),
    minMs: Math.min(...wall),
    steps,
    cpuMsPerStep: median(cpu),
    note: report.attempts.find((a) => a.ok)?.reason ?? undefined,
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
  process.exit(0);
}

function runConfig(label: string, extra: string[] = []): StepResult | string {
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'bin/tsx.mjs'), path.join(root, 'bench/train-step.ts'), '--child', label, ...extra,
      '--steps', args.steps!, '--warmup', args.warmup!, '--cpu-steps', args['cpu-steps']!, '--size', args.size!],
    { cwd: root, encoding: 'utf8', env: { ...process.env, DEBLUR_BACKEND: '' } },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (line == null) return `failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(line.slice('RESULT '.length)) as StepResult;
}

function runTorch(): StepResult | string {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return 'skipped: /usr/bin/python3 not found';
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'skipped: PyTorch not installed (Debian: apt-get install -y python3-torch)';
  const r = spawnSync(python, [path.join(root, 'bench/train_step_torch.py'), '--steps', args.steps!, '--warmup', args.warmup!, '--device', args['torch-device']!, '--size', args.size!], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return `failed: ${r.stderr.trim().split('\n').slice(-1)[0]}`;
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    backend: string; device?: string; msPerStep: number; minMs: number; cpuMsPerStep: number; threads: number; version: string; steps: number;
  };
  return {
    label: `pytorch ${j.version}${j.device ? ` (${j.device})` : ''}`, backend: j.backend, threads: j.threads, simd: null,
    msPerStep: j.msPerStep, minMs: j.minMs, steps: j.steps, cpuMsPerStep: j.cpuMsPerStep,
  };
}

/** Whether to time webgpu: only on a hardware adapter (a software rasterizer is not a GPU), or when asked to check the path. */
async function webgpuPlan(): Promise<{ run: boolean; note: string }> {
  try {
    const probe = await probeWebGpuAdapter();
    if (probe.software == null) return { run: true, note: probe.adapter };
    if (args['webgpu-on-software']) return { run: true, note: `${probe.adapter}: software adapter, a path check, not a GPU number` };
    return { run: false, note: `webgpu skipped: only a software adapter here (${probe.adapter}; ${probe.software}), not timed as a GPU` };
  } catch (e) {
    return { run: false, note: `webgpu skipped: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function writeDoc(section: string): void {
  const file = path.join(root, 'docs/benchmarks/train-step.md');
  const begin = '<!-- bench:train-step:begin -->';
  const end = '<!-- bench:train-step:end -->';
  mkdirSync(path.dirname(file), { recursive: true });
  const block = `${begin}\n${section}\n${end}`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : `## Training step (workload W)\n\n${begin}\n${end}\n`;
  const i = old.indexOf(begin);
  const j = old.indexOf(end);
  writeFileSync(file, i >= 0 && j > i ? old.slice(0, i) + block + old.slice(j + end.length) : `${old.trim()}\n\n${block}\n`);
  console.log(`wrote ${path.relative(root, file)}`);
}

async function main(): Promise<void> {
  if (args.child != null) return runChild(args.child);
  const load0 = os.loadavg()[0]!;
  const results: Array<StepResult | string> = [];
  const torch = runTorch();
  const gpu = await webgpuPlan();
  const auto = runConfig('auto');
  results.push(auto);
  const autoBackend = typeof auto === 'string' ? null : auto.backend;
  // On a hardware GPU auto is webgpu: wasm is then measured on its own, as the CPU row.
  if (autoBackend === 'webgpu') results.push(runConfig('wasm'));
  else if (gpu.run) {
    const webgpu = runConfig('webgpu');
    results.push(typeof webgpu === 'string' ? `webgpu ${webgpu}` : { ...webgpu, note: gpu.note });
  } else results.push(gpu.note);
  const wasmRow = results.find((r): r is StepResult => typeof r !== 'string' && r.backend === 'wasm');
  if (wasmRow != null && wasmRow.threads > 1) results.push(runConfig('wasm:1-thread', ['--threads', '1']));
  if (!args['no-cpu']) results.push(runConfig('cpu'));
  results.push(torch);
  const load1 = os.loadavg()[0]!;

  const torchMs = typeof torch === 'string' ? null : torch.msPerStep;
  const rows = results.map((r) => {
    if (typeof r === 'string') return `| (${r}) | | | | |`;
    const torchRow = r.backend.startsWith('pytorch');
    const ratio = torchMs == null || torchRow ? '' : `${(r.msPerStep / torchMs).toFixed(2)}×`;
    const detail = r.backend === 'wasm' ? ` (${r.threads} thread${r.threads > 1 ? 's' : ''}${r.simd ? ', SIMD' : ''})` : r.backend === 'webgpu' && r.note ? ` (${r.note})` : '';
    const conf = torchRow ? r.label : `tfjs ${r.backend}${detail}`;
    const cpu = r.cpuMsPerStep == null ? '' : r.cpuMsPerStep.toFixed(0);
    return `| ${conf} | ${r.msPerStep.toFixed(0)} | ${r.minMs.toFixed(0)} | ${cpu} | ${ratio} |`;
  });
  const section = [
    `Latest run: ${new Date().toISOString().slice(0, 10)}, ${machine()}; 1-min load average ${load0.toFixed(1)} before, ${load1.toFixed(1)} after.`,
    `Median of ${args.steps} steps after ${args.warmup} warm-up steps (cpu backend: ${args['cpu-steps']}, no warm-up)${args.size === '128' ? '' : `; images ${args.size}×${args.size} instead of W's 128×128 (a path check)`}.`,
    '',
    '| configuration | ms/step (median) | min | CPU ms/step | vs PyTorch |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  console.log(`\n${section}\n`);
  if (!args['no-doc']) writeDoc(section);
}

await main();
