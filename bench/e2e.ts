/**
 * End to end: wall time from a folder of 1280×720 frames to a trained resunet `small` at a fixed number of
 * steps, and the PSNR it reaches on held-out photos. The app's CLI, run as a user would (prepare, train, eval:
 * one process each), against the field's usual tools in the same run: OpenCV for the preparation
 * (bench/prepare_opencv.py) and PyTorch on the CPU for training and scoring (bench/e2e_torch.py).
 *
 * Frames: Debian's mate-backgrounds photos (TRAIN_PHOTOS of scripts/default-model/photos.ts), each made
 * into a sequence (its own sub-folder) like a slow camera pan: 1280×720 crops along a diagonal path across the
 * photo scaled (aspect kept) to ~900 px high, cached in bench/.tmp/e2e/frames. Test set: HELDOUT_PHOTOS,
 * prepared once by the app (448×256, blur k3/k7/k11); both sides are scored on exactly these files.
 *
 * Usage: node bin/tsx.mjs bench/e2e.ts [--steps 300] [--frames 100] [--photos …/usr/share/backgrounds/mate] [--no-doc]
 * Without --photos: /usr/share/backgrounds/mate, else bench/.tmp/mate/… (fetched with apt-get download + dpkg -x).
 * Prints a report and writes it to docs/benchmarks/e2e.md (unless --no-doc).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { parseEval, type EvalFile } from '../src/engine/evaluate/eval-schema';
import { HELDOUT_PHOTOS, TRAIN_PHOTOS } from '../scripts/default-model/photos';
import { machine, PYTHON, runPython } from './lib';

const root = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '300' },
    frames: { type: 'string', default: '100' },
    photos: { type: 'string' },
    'no-doc': { type: 'boolean', default: false },
  },
});
const STEPS = Number(args.steps);
const FRAMES = Number(args.frames);
const TRAIN = { batch: 8, patch: 96, lr: 1e-3, seed: 1 };
const W = 1280;
const H = 720;
/** height the photos are scaled to before the pan (never up: a photo already smaller is cropped as is) */
const PAN_HEIGHT = 900;
const LEVELS = ['blur_k3', 'blur_k7', 'blur_k11'];
const tmp = path.join(root, 'bench/.tmp');
const work = path.join(tmp, 'e2e');

/** The mate-backgrounds folder holding every photo named, or why there is none. */
function findPhotos(names: string[]): { dir: string } | { skipped: string } {
  let dir = args.photos ?? '/usr/share/backgrounds/mate';
  if (args.photos === undefined && !existsSync(dir)) {
    dir = path.join(tmp, 'mate/usr/share/backgrounds/mate');
    if (!existsSync(dir)) {
      console.log('• fetching Debian\'s mate-backgrounds (apt-get download + dpkg -x) …');
      mkdirSync(tmp, { recursive: true });
      const dl = spawnSync('apt-get', ['download', 'mate-backgrounds'], { cwd: tmp, encoding: 'utf8' });
      const deb = readdirSync(tmp).find((f) => f.startsWith('mate-backgrounds_') && f.endsWith('.deb'));
      if (!deb) return { skipped: `apt-get download mate-backgrounds failed: ${(dl.error?.message ?? dl.stderr ?? '').trim().split('\n').pop()}` };
      const x = spawnSync('dpkg', ['-x', deb, 'mate'], { cwd: tmp, encoding: 'utf8' });
      if (x.status !== 0) return { skipped: `dpkg -x ${deb} failed: ${(x.error?.message ?? x.stderr ?? '').trim().split('\n').pop()}` };
    }
  }
  if (!existsSync(dir)) return { skipped: `no folder ${dir}` };
  const missing = names.filter((n) => !existsSync(path.join(dir, n)));
  return missing.length ? { skipped: `${dir} lacks ${missing.join(', ')}` } : { dir };
}

/** The pan frames, ⌊N/photos⌋ or one more per photo, each photo its own sequence folder; cached. */
async function makeFrames(photos: string, list: string[]): Promise<string> {
  const dir = path.join(work, 'frames');
  const stamp = JSON.stringify({ frames: FRAMES, photos: list, W, H, PAN_HEIGHT, sharp: sharp.versions.sharp });
  if (existsSync(path.join(dir, 'frames.json')) && readFileSync(path.join(dir, 'frames.json'), 'utf8') === stamp) return dir;
  console.log(`• making ${FRAMES} frames of ${W}×${H} from ${list.length} photos (cached in ${path.relative(root, dir)}) …`);
  rmSync(dir, { recursive: true, force: true });
  for (const [p, rel] of list.entries()) {
    const count = Math.floor(FRAMES / list.length) + (p < FRAMES % list.length ? 1 : 0);
    if (count === 0) continue;
    const file = path.join(photos, rel);
    const meta = await sharp(file).metadata();
    const scale = Math.min(1, Math.max(PAN_HEIGHT / meta.height, W / meta.width));
    const [w, h] = [Math.max(W, Math.round(meta.width * scale)), Math.max(H, Math.round(meta.height * scale))];
    const scaled = await sharp(file).resize(w, h, { fit: 'fill' }).removeAlpha().raw().toBuffer();
    const seq = path.join(dir, path.basename(rel, path.extname(rel)));
    mkdirSync(seq, { recursive: true });
    for (let j = 0; j < count; j++) {
      const t = count === 1 ? 0.5 : j / (count - 1);
      await sharp(scaled, { raw: { width: w, height: h, channels: 3 } })
        .extract({ left: Math.round(t * (w - W)), top: Math.round(t * (h - H)), width: W, height: H })
        .png()
        .toFile(path.join(seq, `frame_${String(j).padStart(3, '0')}.png`));
    }
  }
  writeFileSync(path.join(dir, 'frames.json'), stamp);
  return dir;
}

/** Runs the app's CLI; returns its wall seconds. */
function cli(...argv: string[]): number {
  const [r, seconds] = timed(() => spawnSync(process.execPath, [path.join(root, 'bin/deblur-studio.mjs'), ...argv], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 }));
  if (r.status !== 0) throw new Error(`deblur-studio ${argv.join(' ')} failed (exit ${r.status}):\n${`${r.stderr}${r.stdout}`.trim().split('\n').slice(-5).join('\n')}`);
  return seconds;
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const value = f();
  return [value, (performance.now() - t0) / 1000];
}

/** The held-out photos prepared by the app as a test set (<level>/test/<photo>.png), once. */
function heldoutSet(photos: string, list: string[]): string {
  const set = path.join(work, 'heldout-set');
  const complete = (): boolean =>
    ['sharp', ...LEVELS].every((d) => existsSync(path.join(set, d, 'test')) && readdirSync(path.join(set, d, 'test')).filter((f) => f.endsWith('.png')).length === list.length);
  if (complete()) return set;
  console.log(`• preparing the held-out set from ${list.length} photos (once) …`);
  const src = path.join(work, 'heldout-src');
  rmSync(src, { recursive: true, force: true });
  rmSync(set, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  for (const rel of list) copyFileSync(path.join(photos, rel), path.join(src, path.basename(rel)));
  cli('prepare', src, set, '--split', '0,0,1');
  if (!complete()) throw new Error(`${set} is not laid out as <level>/test/*.png for sharp, ${LEVELS.join(', ')}`);
  return set;
}

interface Side {
  prepare: number;
  train: number;
  eval: number;
  /** mean PSNR (dB) per level of the model's output, and of the blurred input */
  psnr: Record<string, { model: number; input: number }>;
}

function appSide(frames: string, heldout: string): Side & { backend: string } {
  const set = path.join(work, 'app-set');
  const runs = path.join(work, 'app-runs');
  rmSync(set, { recursive: true, force: true });
  rmSync(runs, { recursive: true, force: true });
  console.log('• app: prepare …');
  const prepare = cli('prepare', frames, set, '--split', '0.9,0.1,0');
  console.log(`  ${prepare.toFixed(1)} s\n• app: train (${STEPS} steps) …`);
  const S = String(STEPS);
  const train = cli('train', set, '--run', 'e2e', '--runs-dir', runs, '--model', 'resunet', '--preset', 'small', '--batch', String(TRAIN.batch),
    '--patch', String(TRAIN.patch), '--loss', 'mse', '--schedule', 'cosine', '--lr', String(TRAIN.lr), '--epochs', '1',
    '--steps-per-epoch', S, '--validate-every', S, '--seed', String(TRAIN.seed));
  console.log(`  ${train.toFixed(1)} s\n• app: eval …`);
  const out = path.join(work, 'app-eval.json');
  const evalSeconds = cli('eval', heldout, '--model', path.join(runs, 'e2e'), '--out', out);
  console.log(`  ${evalSeconds.toFixed(1)} s`);
  const result: EvalFile = parseEval(readFileSync(out, 'utf8'), out);
  const psnr = Object.fromEntries(result.summary.levels.map((l) => [l.level, { model: l.model.psnr.meanDb ?? NaN, input: l.identity.psnr.meanDb ?? NaN }]));
  return { prepare, train, eval: evalSeconds, psnr, backend: result.meta.backend };
}

interface Versions {
  python: string;
  torch: string;
  cv2: string;
  skimage: string;
  threads: number;
}

function referenceSide(frames: string, heldout: string): (Side & { versions: Versions }) | { skipped: string } {
  if (!existsSync(PYTHON)) return { skipped: `${PYTHON} not found` };
  const script = path.join(root, 'bench/e2e_torch.py');
  const versions = runPython<Versions>([script, 'check']);
  if ('skipped' in versions) return versions;
  const set = path.join(work, 'ref-set');
  const run = path.join(work, 'ref-run');
  rmSync(set, { recursive: true, force: true });
  rmSync(run, { recursive: true, force: true });
  console.log('• reference: OpenCV prepare …');
  const [prep, prepare] = timed(() => runPython([path.join(root, 'bench/prepare_opencv.py'), frames, set]));
  if ('skipped' in prep) return prep;
  console.log(`  ${prepare.toFixed(1)} s\n• reference: PyTorch train (${STEPS} steps) …`);
  const [trained, train] = timed(() =>
    runPython([script, 'train', set, frames, path.join(work, 'app-set/manifest.json'), run, '--steps', String(STEPS),
      ...Object.entries(TRAIN).flatMap(([k, v]) => [`--${k}`, String(v)])]),
  );
  if ('skipped' in trained) return trained;
  console.log(`  ${train.toFixed(1)} s\n• reference: eval …`);
  const [scored, evalSeconds] = timed(() => runPython<{ levels: Side['psnr'] }>([script, 'eval', heldout, run]));
  if ('skipped' in scored) return scored;
  console.log(`  ${evalSeconds.toFixed(1)} s`);
  return { prepare, train, eval: evalSeconds, psnr: scored.levels, versions };
}

/** Largest difference of the two sides' PSNR of the blurred input (the same files): a check that they score alike. */
function inputGap(a: Side, b: Side): number {
  return Math.max(...LEVELS.map((l) => Math.abs((a.psnr[l]?.input ?? NaN) - (b.psnr[l]?.input ?? NaN))));
}

async function main(): Promise<void> {
  const photos = findPhotos([...TRAIN_PHOTOS, ...HELDOUT_PHOTOS]);
  if ('skipped' in photos) {
    console.log(`e2e skipped: no photos (${photos.skipped}); docs/benchmarks/e2e.md left as it was`);
    return;
  }
  const load0 = os.loadavg()[0]!;
  const frames = await makeFrames(photos.dir, TRAIN_PHOTOS);
  const heldout = heldoutSet(photos.dir, HELDOUT_PHOTOS);
  const app = appSide(frames, heldout);
  const ref = referenceSide(frames, heldout);
  const load1 = os.loadavg()[0]!;

  const s = (x: number) => x.toFixed(1);
  const db = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(2));
  const r = 'skipped' in ref ? null : ref;
  const row = (name: string, a: number, b: number | undefined) => `| ${name} | ${s(a)} | ${b === undefined ? '–' : s(b)} | ${b ? `${(a / b).toFixed(2)}×` : '–'} |`;
  const md = `## End to end (\`bench/e2e.ts\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}; 1-min load average ${load0.toFixed(1)} before the run, ${load1.toFixed(1)} after.
Software: sharp ${sharp.versions.sharp}, TF.js backend **${app.backend}**${r ? `; Python ${r.versions.python}, OpenCV ${r.versions.cv2}, PyTorch ${r.versions.torch} (CPU, ${r.versions.threads} threads), scikit-image ${r.versions.skimage}` : ''}.

Workload: ${FRAMES} frames of ${W}×${H} (PNG) made from the ${TRAIN_PHOTOS.length} training photos of Debian's mate-backgrounds
(\`TRAIN_PHOTOS\` of scripts/default-model/photos.ts), one sequence folder per photo, like a slow camera pan:
crops along a diagonal path across the photo scaled to ~${PAN_HEIGHT} px high. Then
**prepare** (448×256, blur k3 σ0.3, k7 σ1.0, k11 σ1.6, PNG; split 0.9/0.1/0 by sequence) →
**train** resunet small for ${STEPS} steps (batch ${TRAIN.batch}, ${TRAIN.patch}×${TRAIN.patch} random crops + flips, MSE, Adam, lr ${TRAIN.lr},
cosine with 5 % linear warm-up, seed ${TRAIN.seed}) → **eval** on the ${HELDOUT_PHOTOS.length} held-out photos (\`HELDOUT_PHOTOS\`, prepared once by the app:
448×256, three blur levels); both sides score exactly these files.

- This app: \`deblur-studio prepare <frames> <set> --split 0.9,0.1,0\`, \`deblur-studio train <set> --model resunet --preset small --batch ${TRAIN.batch} --patch ${TRAIN.patch} --loss mse --schedule cosine --lr ${TRAIN.lr} --epochs 1 --steps-per-epoch ${STEPS} --validate-every ${STEPS} --seed ${TRAIN.seed}\`, \`deblur-studio eval <held-out set> --model <run>\`.
- Reference: \`bench/prepare_opencv.py\` (cv2.imread, resize INTER_LINEAR, GaussianBlur, imwrite), then \`bench/e2e_torch.py train\`:
  the same network (bench/infer_torch.py) with Keras's initialisation, the app's train/val split (read from its manifest), the same
  crops/flips sampling, loss (MSE), Adam (β 0.9/0.999, ε 1e-7) and schedule, training frames held in memory; \`e2e_torch.py eval\`: skimage PSNR on the uint8-rounded output.

Timings are wall clock of each phase's process, as a user would start it: startup and imports included, and for training the
data loading, the ${STEPS} steps, one validation pass over the val frames and a checkpoint. Eval is not in the total: the app's
also computes SSIM, a Wiener-deconvolution baseline and example crops, the reference only PSNR.
${load0 > os.availableParallelism() * 0.5 ? '\nThe machine was busy (load average above half its cores): wall times are pessimistic for both sides, for PyTorch\'s OpenMP threads most of all.\n' : ''}
| phase | this app (s) | OpenCV + PyTorch (s) | app / reference |
|---|---:|---:|---:|
${row('prepare', app.prepare, r?.prepare)}
${row(`train (${STEPS} steps)`, app.train, r?.train)}
${row('**total** (prepare + train)', app.prepare + app.train, r ? r.prepare + r.train : undefined)}
${row('eval (not in the total)', app.eval, r?.eval)}
${r ? `\nFrom a folder of frames to a trained model this app takes **${((app.prepare + app.train) / (r.prepare + r.train)).toFixed(2)}×** the reference's wall time.\n` : ''}
| held-out PSNR (dB) | blurred input | this app's model | reference model |
|---|---:|---:|---:|
${LEVELS.map((l) => `| ${l} | ${db(app.psnr[l]?.input)} | ${db(app.psnr[l]?.model)} | ${db(r?.psnr[l]?.model)} |`).join('\n')}

${'skipped' in ref ? `Reference skipped: ${ref.skipped}` : `The blurred input's PSNR as the reference computes it (skimage) differs from the app's by at most ${inputGap(app, ref).toFixed(3)} dB.`}
`;
  console.log(`\n${md}`);
  if (!args['no-doc']) {
    mkdirSync(path.join(root, 'docs/benchmarks'), { recursive: true });
    writeFileSync(path.join(root, 'docs/benchmarks/e2e.md'), md);
    console.log('wrote docs/benchmarks/e2e.md');
  }
}

await main();
