/**
 * Scores rules for turning an estimated blur into the Wiener kernel on sigma-rule-data.ts's lines (training photos):
 * - "no mild rule": the rule before the mild-blur detector (the nearly sharp level always taken as such, a course
 *   level within 20 % snapped to, else the regressed σ);
 * - "T t s x": that rule, but past a threshold T the nearly sharp level is not believed and the regressed σ, shrunk
 *   by s, is used instead (shrunk also where the middle level is not snapped to below σ 1.0); measured and dropped;
 * - "mild …": wiener-kernel.ts's rule (the mild-blur detector's verdict on nearly sharp frames, and a regressed σ
 *   below `below` under the other levels, undone as one gentle σ) for a grid of its two constants; the shipped ones
 *   are marked.
 * - "snap ratio": how close to a course level's σ an estimate must be to get that level's exact kernel (data with
 *   the regressed σ's own filter, E, only; every frame scored).
 * Prints, per true σ, the mean PSNR gain over the blurred input, the frames made worse than it and the worst loss.
 * The PSNR of a σ between the data's grid points is interpolated linearly; an exact output counts as 100 dB. Frames
 * whose kernel is a regressed σ beyond the grid (not snapped, σ ≥ 0.9) are left out alike for every rule.
 *
 * Usage: node bin/tsx.mjs scripts/kernel-aware-model/sigma-rule-eval.ts data.jsonl [more.jsonl …]
 */
import { readFileSync } from 'node:fs';
import { BLUR_LEVELS, type BlurEstimate } from '../../src/shared/contract';
import { isMildBlur, LEVEL_SNAP_RATIO, MILD_RULE, wienerKernelForEstimate, type MildRule } from '../../src/engine/restore/wiener-kernel';

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
const grid = Object.keys(lines[0]!.told).filter((k) => /^[0-9.]+$/.test(k)).map(Number).sort((a, b) => a - b);

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

const estimateOf = (l: Line): BlurEstimate => {
  const { sigma, level, confidence, mildBlur } = l.estimate;
  return { sigma, level: { ksize: level, sigma: BLUR_LEVELS[level], confidence }, mildBlur: mildBlur ?? false };
};

/** The snap ratio the mild rule was chosen with (LEVEL_SNAP_RATIO then); its table keeps it, so it reads as it did. */
const MILD_TABLE_SNAP = 1.2;

/** wiener-kernel.ts's rule with the given constants (and MILD_TABLE_SNAP). */
function mildRule(l: Line, rule: MildRule): number | null {
  const level = l.estimate.level;
  const k = wienerKernelForEstimate(estimateOf(l), {}, rule, MILD_TABLE_SNAP);
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
/** Per true σ: the mean PSNR gain over the blurred input, frames made worse than it, the worst loss. */
function printTable(header: string, table: Array<[string, (l: Line) => number | null]>): void {
  console.log(`| ${header} | ${sigmas.map((s) => `σ ${s}`).join(' | ')} |\n|---|${sigmas.map(() => '---:').join('|')}|`);
  for (const [name, score] of table) {
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
}
printTable('rule', rules);

/**
 * The snap ratio (wiener-kernel.ts's LEVEL_SNAP_RATIO): within it of a level's σ the level's exact kernel, else the
 * filter for the regressed σ itself (data lines with E); the mild rule as shipped. Every frame is scored here.
 */
function snapRule(l: Line, ratio: number): number | null {
  const own = l.told.E;
  if (own === undefined) return null;
  const e = estimateOf(l);
  const k = wienerKernelForEstimate(e, {}, MILD_RULE, ratio);
  if (isMildBlur(e)) return toldAt(l, k.sigma);
  return k.ksize === e.level.ksize && k.sigma === e.level.sigma ? db(l.told[`L${e.level.ksize}`]!) : db(own);
}
if (lines.every((l) => l.told.E !== undefined)) {
  console.log('');
  printTable(
    'snap ratio',
    [1.05, 1.1, 1.15, 1.2, 1.3].map((r): [string, (l: Line) => number | null] => [`${r}${r === LEVEL_SNAP_RATIO ? ' **(shipped)**' : ''}`, (l) => snapRule(l, r)]),
  );
}
