/**
 * The model card's results table, from an evaluation JSON of the held-out photos (`deblur-studio eval`):
 * per blur level, the model next to the blurred input (identity) and the Wiener baseline, with the targets.
 *
 * Usage: node bin/tsx.mjs scripts/default-model/results-table.ts <eval.json>
 */
import { readFileSync } from 'node:fs';
import { parseEval, type EvalFile } from '../../src/engine/evaluate/eval-schema';
import { fmtGain, fmtPsnr, fmtSsim } from '../../src/engine/report/format';

type Level = EvalFile['summary']['levels'][number];
/** "11×11 σ 1.6", from the level's own kernel and σ */
const label = (l: Level) => (l.kernel === null || l.sigma === null ? l.level : `${l.kernel}×${l.kernel} σ ${l.sigma.toFixed(1)}`);
/** the targets: gain over the blurred input, or (σ 0.3) a PSNR floor unless the output equals the input */
const TARGET: Record<number, { gain?: number; floorDb?: number }> = { 3: { floorDb: 50 }, 7: { gain: 1.5 }, 11: { gain: 2 } };

const file = process.argv[2];
if (!file) throw new Error('usage: results-table.ts <eval.json>');
const e = parseEval(readFileSync(file, 'utf8'), file);
const db = (v: number | null | undefined) => (v == null ? '–' : `${fmtPsnr(v)} dB`);
const pair = (m: { psnr: { meanDb: number | null }; ssim: number | null } | null) => (m ? `${db(m.psnr.meanDb)} / ${fmtSsim(m.ssim)}` : '–');

const lines = [
  '| blur | photos | model PSNR / SSIM | blurred input | Wiener (told the kernel) | gain over input | target | met |',
  '|---|---:|---|---|---|---:|---|---|',
];
for (const l of [...e.summary.levels].reverse()) {
  const k = l.kernel as number;
  const t = TARGET[k] ?? {};
  const worst = Math.min(...e.images.filter((i) => i.level === l.level).map((i) => i.model.psnr ?? Infinity));
  const met = t.gain !== undefined ? (l.gainOverIdentityDb ?? -Infinity) >= t.gain : worst >= (t.floorDb ?? 0);
  const target = t.gain !== undefined ? `≥ +${t.gain.toFixed(1)} dB` : `every photo ≥ ${t.floorDb} dB (lowest: ${db(worst)})`;
  const gain = l.gainOverIdentityDb === null ? '–' : `${fmtGain(l.gainOverIdentityDb)} dB`;
  lines.push(`| ${label(l)} | ${l.images} | ${pair(l.model)} | ${pair(l.identity)} | ${pair(l.wiener)} | ${gain} | ${target} | ${met ? 'yes' : '**no**'} |`);
}
lines.push('', 'Per photo (model / blurred input / Wiener, PSNR):', '', '| photo | ' + [...e.summary.levels].reverse().map(label).join(' | ') + ' |', '|---|---|---|---|');
for (const name of [...new Set(e.images.map((i) => i.name))].sort()) {
  const cells = [...e.summary.levels].reverse().map((l) => {
    const i = e.images.find((x) => x.name === name && x.level === l.level);
    return i ? `${fmtPsnr(i.model.psnr)} / ${fmtPsnr(i.identity.psnr)} / ${fmtPsnr(i.wiener?.psnr)}` : '–';
  });
  lines.push(`| ${name} | ${cells.join(' | ')} |`);
}
console.log(lines.join('\n'));
