import type { RuntimeReport } from '../../shared/contract';
import { withEngine } from '../run-job';

export function formatRuntimeReport(r: RuntimeReport): string {
  const lines = [`TensorFlow.js ${r.tfjsVersion} — running on: ${r.backend}${r.forced ? ` (forced by ${r.forced})` : ''}`];
  lines.push(`threads: ${r.threads}   SIMD: ${r.simd === null ? 'n/a' : r.simd ? 'yes' : 'no'}   ${r.platform}, Node ${r.node}`);
  lines.push('runtime chain (first that loads wins):');
  for (const a of r.attempts) {
    lines.push(`  ${a.ok ? '✔' : '✘'} ${a.backend.padEnd(15)} ${a.ok ? 'runs' : `unavailable: ${a.reason ?? 'unknown'}`}`);
  }
  return lines.join('\n');
}

export async function infoCommand(opts: { json?: boolean }): Promise<void> {
  const report = await withEngine(({ host }) => host.route('runtime.info', {}) as Promise<RuntimeReport>);
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRuntimeReport(report)}\n`);
}
