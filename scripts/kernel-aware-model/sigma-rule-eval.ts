/**
 * Scores rules for turning an estimated blur into the Wiener kernel on sigma-rule-data.ts's lines (training photos):
 * - "no mild rule": the rule before the mild-blur detector (the nearly sharp level always taken as such, a course
 *   level within 20 % snapped to, else the regressed σ);
 * - "T t s x": that rule, but past a threshold T the nearly sharp level is not believed and the regressed σ, shrunk
 *   by s, is used instead (shrunk also where the middle level is not snapped to below σ 1.0); measured and dropped;
 * - "mild …": wiener-kernel.ts's rule (the mild-blur detector's verdict on nearly sharp frames, and a regressed σ
 *   below `below` under the other levels, undone as one gentle σ) for a grid of its two constants; the shipped ones
 *   are marked.
 * Prints, per true σ, the mean PSNR gain over the blurred input, the frames made worse than it and the worst loss.
 * The PSNR of a σ between the data's grid points is interpolated linearly; an exact output counts as 100 dB. Frames
 * whose kernel is a regressed σ beyond the grid (not snapped, σ ≥ 0.9) are left out alike for every rule.
 *
 * Usage: node bin/tsx.mjs scripts/kernel-aware-model/sigma-rule-eval.ts data.jsonl [more.jsonl …]
 */
import { readFileSync } from 'node:fs';
import { BLUR_LEVELS, type BlurEstimate } from '../../src/shared/contract';
import { MILD_RULE, wienerKernelForEstimate, type MildRule } from '../../src/engine/restore/wiener-kernel';

interface Line {
  sigma: number;
  input: number | null;
  estimate: { sigma: number; level: 3 | 7 | 11; confidence: number; mildBlur?: boolean };
  told: Record<string, number | null>;
}
const CAP = 100;
const db = (v: number | null) => (v === null ? CAP : Math.min(v, CAP));
const lines: Line[] = process.argv.slice(2).flatMap((f) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line));
if (!lines.length) throw new Error('usage: sigma-rule-eval.ts data.jsonl [more.jsonl …]');
const grid = Object.keys(lines[0]!.told).filter((k) => !k.startsWith('L')).map(Number).sort((a, b) => a - b);

/** The PSNR of the filter for σ, interpolated on the grid; null beyond it. */
function toldAt(l: Line, s: number): number | null {
  if (s > grid.at(-1)! + 1e-9) return null;
  const c = Math.max(s, grid[0]!);
  const i = Math.max(1, grid.findIndex((g) => g >= c));
  const [a, b] = [grid[i - 1]!, grid[i]!];
  const [fa, fb] = [db(l.told[String(a)]!), db(l.told[String(b)]!)];
  return fa + ((fb - fa) * (c - a)) / (b - a);
}

/** The rule before the mild-blur detector, and the dropped "T, s" family (T = ∞: that rule). */
function thresholdRule(l: Line, threshold: number, shrink: number): number | null {
  const { sigma, level } = l.estimate;
  const levelSigma = BLUR_LEVELS[level];
  const snapped = level === 3 ? sigma < threshold : Math.max(sigma / levelSigma, levelSigma / sigma) <= 1.2;
  if (snapped) return db(l.told[`L${level}`]!);
  return level === 3 || sigma < 1.0 ? toldAt(l, Math.min(shrink * sigma, grid.at(-1)!)) : null;
}

/** wiener-kernel.ts's rule with the given constants. */
function mildRule(l: Line, rule: MildRule): number | null {
  const { sigma, level, confidence, mildBlur } = l.estimate;
  const e: BlurEstimate = { sigma, level: { ksize: level, sigma: BLUR_LEVELS[level], confidence }, mildBlur: mildBlur ?? false };
  const k = wienerKernelForEstimate(e, {}, rule);
  if (k.ksize === level && k.sigma === BLUR_LEVELS[level]) return db(l.told[`L${level}`]!);
  return toldAt(l, k.sigma);
}

const sigmas = [...new Set(lines.map((l) => l.sigma))].sort((a, b) => a - b);
const rules: Array<[string, (l: Line) => number | null]> = [['no mild rule', (l) => thresholdRule(l, Infinity, 1)]];
for (const t of [0.55, 0.6, 0.7]) for (const s of [0.7, 0.85, 1]) rules.push([`T ${t} s ${s}`, (l) => thresholdRule(l, t, s)]);
for (const below of [0.85, 0.9, 0.95]) {
  for (const sigma of [0.45, 0.5, 0.55, 0.6]) {
    const shipped = below === MILD_RULE.below && sigma === MILD_RULE.sigma ? ' **(shipped)**' : '';
    rules.push([`mild below ${below}, undone as σ ${sigma}${shipped}`, (l) => mildRule(l, { below, sigma })]);
  }
}

console.log(`frames per σ: ${lines.length / sigmas.length}; mild blur detected (level 3×3 and detector): ${sigmas.map((s) => `σ ${s} ${lines.filter((l) => l.sigma === s && l.estimate.mildBlur).length}`).join(', ')}\n`);
console.log(`| rule | ${sigmas.map((s) => `σ ${s}`).join(' | ')} |\n|---|${sigmas.map(() => '---:').join('|')}|`);
for (const [name, score] of rules) {
  const cells = sigmas.map((sigma) => {
    const scored = lines.filter((l) => l.sigma === sigma).flatMap((l) => {
      const v = score(l);
      return v === null ? [] : [v - db(l.input)];
    });
    const mean = scored.reduce((a, g) => a + g, 0) / scored.length;
    const worse = scored.filter((g) => g < -1e-9);
    const worst = worse.length ? `, ${Math.min(...worse).toFixed(1)}` : '';
    return `${mean >= 0 ? '+' : '−'}${Math.abs(mean).toFixed(2)} (${worse.length}/${scored.length}${worst})`;
  });
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
