/**
 * Scores rules for turning an estimated blur into the Wiener kernel on sigma-rule-data.ts's lines (training photos):
 * the shipped rule (wiener-kernel.ts: the nearly sharp level always taken as such, a course level within 20 %
 * snapped to, else the regressed σ) against "past a threshold T the nearly sharp level is not believed and the
 * regressed σ, shrunk by s, is used instead" (shrunk also where the middle level is not snapped to below σ 1.0).
 * Prints, per true σ, the mean PSNR gain over the blurred input and the frames made worse than it. The PSNR of a σ
 * between the data's grid points is interpolated linearly; an exact output counts as 100 dB.
 *
 * Usage: node bin/tsx.mjs scripts/kernel-aware-model/sigma-rule-eval.ts data.jsonl [more.jsonl …]
 */
import { readFileSync } from 'node:fs';

interface Line {
  sigma: number;
  input: number | null;
  estimate: { sigma: number; level: number; confidence: number };
  told: Record<string, number | null>;
}
const CAP = 100;
const db = (v: number | null) => (v === null ? CAP : Math.min(v, CAP));
const lines: Line[] = process.argv.slice(2).flatMap((f) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line));
if (!lines.length) throw new Error('usage: sigma-rule-eval.ts data.jsonl [more.jsonl …]');
const grid = Object.keys(lines[0]!.told).filter((k) => !k.startsWith('L')).map(Number).sort((a, b) => a - b);

function toldAt(l: Line, s: number): number {
  const c = Math.min(Math.max(s, grid[0]!), grid.at(-1)!);
  const i = Math.max(1, grid.findIndex((g) => g >= c));
  const [a, b] = [grid[i - 1]!, grid[i]!];
  const [fa, fb] = [db(l.told[String(a)]!), db(l.told[String(b)]!)];
  return fa + ((fb - fa) * (c - a)) / (b - a);
}
const LEVEL_SIGMA: Record<number, number> = { 3: 0.3, 7: 1.0, 11: 1.6 };
/** The PSNR a rule gives, or null where it uses a σ beyond the data's grid (the rules differ only below σ 1.0). */
function ruleScore(l: Line, threshold: number, shrink: number): number | null {
  const { sigma, level } = l.estimate;
  const snapped = level === 3 ? sigma < threshold : Math.max(sigma / LEVEL_SIGMA[level]!, LEVEL_SIGMA[level]! / sigma) <= 1.2;
  if (snapped) return db(l.told[`L${level}`]!);
  // every rule uses the regressed σ past the middle level alike; a shrunk σ beyond the grid scores as its last point
  return level === 3 || sigma < 1.0 ? toldAt(l, shrink * sigma) : null;
}

const sigmas = [...new Set(lines.map((l) => l.sigma))].sort((a, b) => a - b);
const rules: Array<[string, number, number]> = [['shipped', Infinity, 1]];
for (const t of [0.55, 0.6, 0.7]) for (const s of [0.7, 0.8, 0.85, 0.9, 1]) rules.push([`T ${t} s ${s}`, t, s]);
console.log(`| rule | ${sigmas.map((s) => `σ ${s}`).join(' | ')} |\n|---|${sigmas.map(() => '---:').join('|')}|`);
for (const [name, t, s] of rules) {
  const cells = sigmas.map((sigma) => {
    const scored = lines.filter((l) => l.sigma === sigma).flatMap((l) => {
      const v = ruleScore(l, t, s);
      return v === null ? [] : [{ gain: v - db(l.input), worse: v < db(l.input) - 1e-9 }];
    });
    const mean = scored.reduce((a, x) => a + x.gain, 0) / scored.length;
    return `${mean >= 0 ? '+' : '−'}${Math.abs(mean).toFixed(2)} (${scored.filter((x) => x.worse).length}/${scored.length} worse)`;
  });
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
