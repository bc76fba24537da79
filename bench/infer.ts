/**
 * Inference speed and memory: a resunet preset deblurring a 448×256 frame (one tile) and whole 12 MP and
 * 24 MP photos through the real `deblur` job (decode → 512 px tiles with 32 px feathered overlap → encode),
 * on both inference runtimes (TF.js on its selected backend, and ONNX Runtime's CPU provider on the
 * converted model), with PyTorch's CPU forward pass of the same architecture as the field reference.
 *
 * The model is the built-in one (resources/models/default, resunet small) when it is installed, else a
 * freshly built preset (--preset; speed does not depend on the weights' values, only on the architecture).
 *
 * Usage: node bin/tsx.mjs bench/infer.ts [--preset small] [--no-24mp] [--no-torch] [--no-onnx] [--no-tfjs] [--no-doc]
 * Every case runs in its own process so its peak RSS (getrusage maxrss) is its own; the report is printed
 * and written to docs/benchmarks/infer.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { machine, median } from './lib';

const root = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    child: { type: 'string' },
    preset: { type: 'string', default: 'small' },
    repeats: { type: 'string', default: '3' },
    'no-24mp': { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
    'no-onnx': { type: 'boolean', default: false },
    'no-tfjs': { type: 'boolean', default: false },
    infer: { type: 'string', default: 'tfjs' },
    'no-doc': { type: 'boolean', default: false },
  },
});

interface CaseResult {
  name: string;
  width: number;
  height: number;
  tiles: number;
  /** wall time per megapixel (median over repeats for the frame; one run for photos) */
  msPerMegapixel: number;
  /** CPU time of all threads per megapixel: the work, independent of other load on the machine */
  cpuMsPerMegapixel: number;
  ms: number;
  peakRssMb: number;
  backend: string;
  threads: number;
  /** the inference runtime that ran, e.g. "TF.js wasm, 2 threads" or "ONNX Runtime 1.30.0 cpu, 2 threads" */
  runtime: string;
  /** the built-in model (resources/models/default), or a freshly built preset */
  builtin: boolean;
}

const CASES = {
  'frame-448x256': { width: 448, height: 256 },
  'photo-12mp': { width: 4000, height: 3000 },
  'photo-24mp': { width: 6000, height: 4000 },
} as const;
type CaseName = keyof typeof CASES;

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/** Child: one case, one JSON line on stdout. */
async function runChild(name: CaseName): Promise<void> {
  process.env.DEBLUR_INFER = args.infer; // the deblur job and loadRunnableModel read it
  if (args.infer === 'onnx') process.env.DEBLUR_CACHE_DIR ??= path.join(root, 'bench/.tmp/cache'); // keep the user's cache clean
  const { selectRuntime } = await import('../src/engine/runtime/select');
  const { buildModel } = await import('../src/engine/models/registry');
  const { saveModel } = await import('../src/engine/models/io');
  const { gridFor } = await import('../src/engine/infer/deblur-image');
  const { tileShapeOf } = await import('../src/engine/infer/model-predictor');
  const { deblurTiled } = await import('../src/engine/infer/deblur-image');
  const { loadRunnableModel } = await import('../src/engine/infer/load-model');
  const { describeInferRuntime } = await import('../src/engine/infer/ort-runtime');
  const { runDeblur } = await import('../src/engine/infer/run-deblur');
  const { createTestContext } = await import('../src/engine/jobs/job-context');
  const { deblurParams } = await import('../src/shared/contract');
  const sharp = (await import('sharp')).default;

  const runtime = await selectRuntime();
  const { describeBuiltinModel } = await import('../src/engine/infer/builtin-model');
  const { loadModel } = await import('../src/engine/models/io');
  const builtin = await describeBuiltinModel();
  const useBuiltin = builtin.installed && builtin.preset === args.preset;
  const model = useBuiltin ? await loadModel(builtin.dir) : buildModel('resunet', args.preset);
  const { width, height } = CASES[name];
  const mp = (width * height) / 1e6;
  const tiles = gridFor(width, height, tileShapeOf(model)).count;
  // A real photo (a fixture) scaled to the size, so decode and encode see photographic content.
  const photo = sharp(path.join(root, 'test/fixtures/photos/dune-640x360.png')).resize(width, height, { fit: 'fill' });
  const infer = await describeInferRuntime();
  const runtimeName =
    infer.runtime === 'onnx' ? `ONNX Runtime ${infer.ortVersion} ${infer.provider}, ${os.availableParallelism()} threads` : `TF.js ${runtime.backend}, ${runtime.threads} threads`;
  let result: CaseResult;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deblur-bench-infer-'));
  if (!useBuiltin) await saveModel(model, path.join(dir, 'model'));
  if (name === 'frame-448x256') {
    const { data } = await photo.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const img = { data: new Uint8Array(data), width, height, channels: 3 as const };
    const runnable = await loadRunnableModel(useBuiltin ? 'default' : path.join(dir, 'model'));
    const once = () => deblurTiled(runnable.predict, img, runnable.shape);
    await once(); // warm-up: kernels and buffers
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let i = 0; i < Number(args.repeats); i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await once();
      walls.push(performance.now() - t0);
      cpus.push(cpuMs(process.cpuUsage(c0)));
    }
    await runnable.dispose();
    await rm(dir, { recursive: true, force: true });
    const ms = median(walls);
    result = { name, width, height, tiles, ms, msPerMegapixel: ms / mp, cpuMsPerMegapixel: median(cpus) / mp, peakRssMb: 0, backend: runtime.backend, threads: runtime.threads, runtime: runtimeName, builtin: useBuiltin };
  } else {
    try {
      const input = path.join(dir, 'photo.jpg');
      await photo.jpeg({ quality: 92 }).toFile(input);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await runDeblur(deblurParams.parse({ inputs: [input], model: useBuiltin ? 'default' : path.join(dir, 'model'), outDir: path.join(dir, 'out') }), createTestContext());
      const ms = performance.now() - t0;
      if (r.outputs.length !== 1) throw new Error(`the deblur job wrote no output: ${JSON.stringify(r.skipped)}`);
      result = { name, width, height, tiles, ms, msPerMegapixel: ms / mp, cpuMsPerMegapixel: cpuMs(process.cpuUsage(c0)) / mp, peakRssMb: 0, backend: runtime.backend, threads: runtime.threads, runtime: runtimeName, builtin: useBuiltin };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  result.peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runCase(name: CaseName, infer: 'tfjs' | 'onnx'): CaseResult {
  console.log(`• ${name} (${CASES[name].width}×${CASES[name].height}, resunet ${args.preset}, ${infer}) …`);
  const r = spawnSync(process.execPath, [path.join(root, 'bin/tsx.mjs'), path.join(root, 'bench/infer.ts'), '--child', name, '--infer', infer, '--preset', args.preset!, '--repeats', args.repeats!], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || !line) throw new Error(`case ${name} failed (exit ${r.status})`);
  const result = JSON.parse(line) as CaseResult;
  console.log(`  ${(result.msPerMegapixel / 1000).toFixed(1)} s/MP, peak RSS ${result.peakRssMb.toFixed(0)} MB, ${result.tiles} tile(s)`);
  return result;
}

interface TorchResult {
  width: number;
  height: number;
  ms: number;
  msPerMegapixel: number;
  cpuMsPerMegapixel: number;
  threads: number;
  torch: string;
}

function runTorch(threads: number): { results: TorchResult[]; note: string | null } {
  if (args['no-torch']) return { results: [], note: 'skipped (--no-torch)' };
  if (!existsSync('/usr/bin/python3')) return { results: [], note: 'not run: /usr/bin/python3 not found' };
  console.log('• PyTorch reference …');
  const r = spawnSync('/usr/bin/python3', [path.join(root, 'bench/infer_torch.py'), '--preset', args.preset!, '--threads', String(threads), '--sizes', '448x256,512x512', '--repeats', args.repeats!], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) return { results: [], note: `not run: ${(r.stderr || '').trim().split('\n').pop() ?? 'failed'} (install with apt-get install -y python3-torch)` };
  return { results: r.stdout.trim().split('\n').map((l) => JSON.parse(l) as TorchResult), note: null };
}

async function main(): Promise<void> {
  const load0 = os.loadavg()[0]!;
  const names: CaseName[] = ['frame-448x256', 'photo-12mp', ...(args['no-24mp'] ? [] : (['photo-24mp'] as const))];
  const infers = [...(args['no-tfjs'] ? [] : (['tfjs'] as const)), ...(args['no-onnx'] ? [] : (['onnx'] as const))];
  const results = infers.flatMap((infer) => names.map((name) => runCase(name, infer)));
  const torch = runTorch(results[0]!.threads);
  const load1 = os.loadavg()[0]!;

  const s = (ms: number) => (ms / 1000).toFixed(1);
  const rows = results.map(
    (r) => `| ${r.runtime} | ${r.name} | ${r.width}×${r.height} | ${r.tiles} | ${s(r.ms)} | ${s(r.msPerMegapixel)} | ${s(r.cpuMsPerMegapixel)} | ${r.peakRssMb.toFixed(0)} |`,
  );
  const frame = results[0]!;
  const frames = results.filter((r) => r.name === 'frame-448x256');
  const torchRows = torch.results.map((t) => `| PyTorch ${t.torch} CPU, ${t.threads} threads | ${t.width}×${t.height} | ${s(t.ms)} | ${s(t.msPerMegapixel)} | ${s(t.cpuMsPerMegapixel)} |`);
  const tfFrame = frames.map((f) => `| ${f.runtime} (this app) | ${f.width}×${f.height} | ${s(f.ms)} | ${s(f.msPerMegapixel)} | ${s(f.cpuMsPerMegapixel)} |`).join('\n');
  const bigs = results.filter((r) => r.name === 'photo-24mp');
  const ortFrame = frames.find((f) => f.runtime.startsWith('ONNX'));
  const torchFrame = torch.results.find((t) => t.width === 448 && t.height === 256);
  const goal =
    ortFrame && torchFrame
      ? `Goal, ONNX Runtime CPU at or below PyTorch-CPU's seconds per megapixel at 448×256: ${s(ortFrame.msPerMegapixel)} vs ${s(torchFrame.msPerMegapixel)} s/MP wall, ` +
        `${s(ortFrame.cpuMsPerMegapixel)} vs ${s(torchFrame.cpuMsPerMegapixel)} CPU s/MP (${ortFrame.msPerMegapixel <= torchFrame.msPerMegapixel ? 'met' : 'NOT met'} on wall time, ${(ortFrame.msPerMegapixel / torchFrame.msPerMegapixel).toFixed(2)}× PyTorch).\n`
      : '';
  const md = `## Inference (\`bench/infer.ts\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}; runtimes: ${[...new Set(results.map((r) => `**${r.runtime}**`))].join(', ')};
model resunet **${args.preset}**, ${frame.builtin ? 'the built-in model (resources/models/default)' : 'freshly built (the built-in model was not installed; speed does not depend on the weights)'}. Load average at start / end: ${load0.toFixed(1)} / ${load1.toFixed(1)}
(other work on the machine stretches wall times; the CPU-time column does not depend on it).

Method: each runtime is forced with DEBLUR_INFER (tfjs or onnx; ONNX Runtime runs the model converted by the app, NHWC in and out,
converted once by the frame case, whose untimed warm-up also loads it; the photo jobs then load it from the cache). The 448×256 frame is one tile, deblurred ${args.repeats}× after a warm-up (median). The photos go through the whole
\`deblur\` job once each, from a JPEG on disk to a JPEG on disk (decode, EXIF, 512 px tiles with 32 px feathered overlap,
encode, atomic write), each in its own process so *peak RSS* (getrusage maxrss) is the case's own (the frame's is the
baseline: Node, the wasm runtime and the model).

| runtime | case | size | tiles | wall (s) | wall s/MP | CPU s/MP | peak RSS (MB) |
|---|---|---|---:|---:|---:|---:|---:|
${rows.join('\n')}

${bigs.map((big) => `24 MP peak memory, ${big.runtime}: **${big.peakRssMb.toFixed(0)} MB** (target ≤ 1536 MB: ${big.peakRssMb <= 1536 ? 'met' : 'NOT met'}). `).join('')}Memory stays bounded because only one tile's
tensors and one band of float accumulators (width × tile height) exist at a time, next to the decoded and output images.

Field reference, the same architecture's forward pass in PyTorch on the CPU (\`bench/infer_torch.py\`, whole image = one tile, no tiling overhead):
${torch.results.length > 0 ? `\n| runtime | size | wall (s) | wall s/MP | CPU s/MP |\n|---|---|---:|---:|---:|\n${tfFrame}\n${torchRows.join('\n')}\n\n${goal}` : `\n${torch.note}\n`}`;
  console.log(`\n${md}`);
  if (!args['no-doc']) {
    mkdirSync(path.join(root, 'docs/benchmarks'), { recursive: true });
    writeFileSync(path.join(root, 'docs/benchmarks/infer.md'), md);
    console.log('wrote docs/benchmarks/infer.md');
  }
}

if (args.child) await runChild(args.child as CaseName);
else await main();
