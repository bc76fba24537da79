/**
 * `npm run bench`: runs every benchmark in bench/ (each compares the project with a field reference in the same
 * run and writes its section to docs/benchmarks/<name>.md), then joins the sections into docs/benchmarks.md.
 * A reference that is not installed is skipped by its bench, which says so in its section.
 * Usage: npm run bench [-- name …]   (names: prepare, train-step, infer, e2e)
 *        npm run bench -- --collect   (only rebuild docs/benchmarks.md from the sections)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ALL = ['prepare', 'train-step', 'infer', 'e2e'];
const root = path.resolve(import.meta.dirname, '..');
const sections = path.join(root, 'docs/benchmarks');
const args = process.argv.slice(2);
const collectOnly = args.includes('--collect');
const named = args.filter((a) => !a.startsWith('--'));
const wanted = collectOnly ? [] : named.length ? named : ALL;

mkdirSync(sections, { recursive: true });
let failed = 0;
for (const name of wanted) {
  const file = path.join(root, 'bench', `${name}.ts`);
  if (!existsSync(file)) {
    console.log(`• ${name}: no bench/${name}.ts yet, skipped`);
    continue;
  }
  console.log(`\n▶ bench ${name}`);
  const r = spawnSync(process.execPath, [path.join(root, 'bin/tsx.mjs'), file], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed += 1;
}

const parts = readdirSync(sections)
  .filter((f) => f.endsWith('.md'))
  .sort((a, b) => ALL.indexOf(a.replace(/\.md$/, '')) - ALL.indexOf(b.replace(/\.md$/, '')))
  .map((f) => readFileSync(path.join(sections, f), 'utf8').trim());
writeFileSync(
  path.join(root, 'docs/benchmarks.md'),
  `# Benchmarks\n\nMeasured by \`npm run bench\` (sources in \`bench/\`); each section names its date, machine and method.\nNo test asserts a timing; these numbers are measurements, not guarantees.\n\n${parts.join('\n\n')}\n`,
);
console.log(`\nwrote docs/benchmarks.md (${parts.length} sections)`);
process.exit(failed ? 1 : 0);
