import type { RuntimeReport } from '../../shared/contract';
import { withEngine } from '../run-job';

export function formatRuntimeReport(r: RuntimeReport): string {
  const lines = [`TensorFlow.js ${r.tfjsVersion} — running on: ${r.backend}${r.forced ? ` (forced by ${r.forced})` : ''}`];
  lines.push(`threads: ${r.threads}   SIMD: ${r.simd === null ? 'n/a' : r.simd ? 'yes' : 'no'}   ${r.platform}, Node ${r.node}`);
  lines.push('runtime chain (first that loads wins):');
  for (const a of r.attempts) {
    // An ok attempt's reason is what it noted on the way (the GPU adapter, a wasm build that failed).
    const ok = a.reason ? `runs — ${a.reason}` : 'runs';
    lines.push(`  ${a.ok ? '✔' : '✘'} ${a.backend.padEnd(15)} ${a.ok ? ok : `unavailable: ${a.reason ?? 'unknown'}`}`);
  }
  if (r.infer) lines.push(...formatInferRuntime(r.infer));
  return lines.join('\n');
}

/** The inference-runtime section: what deblur and evaluate run on, and why the other providers do not. */
export function formatInferRuntime(i: NonNullable<RuntimeReport['infer']>): string[] {
  const running = i.runtime === 'onnx' ? `ONNX Runtime ${i.ortVersion ?? ''}, ${i.provider} provider` : 'TF.js (the runtime above)';
  const lines = [`inference (deblur, evaluate): ${running}${i.forced ? ` (forced by DEBLUR_INFER=${i.forced})` : ''}`];
  for (const a of i.attempts) {
    const name = a.runtime === 'onnx' ? `onnx ${a.provider ?? ''}`.trim() : 'tfjs';
    const chosen = a.runtime === i.runtime && a.provider === i.provider;
    lines.push(`  ${a.ok ? '✔' : '✘'} ${name.padEnd(15)} ${chosen ? 'runs' : a.ok ? (a.reason ?? 'works (not first)') : `unavailable: ${a.reason ?? 'unknown'}`}`);
  }
  return lines;
}

export async function infoCommand(opts: { json?: boolean }): Promise<void> {
  const report = await withEngine(({ host }) => host.route('runtime.info', {}) as Promise<RuntimeReport>);
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRuntimeReport(report)}\n`);
}
