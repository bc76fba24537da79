import { runJob } from '../run-job';

export async function selftestCommand(opts: { size: string; steps: string }): Promise<void> {
  const r = await runJob({ type: 'selftest', params: { size: Number(opts.size), steps: Number(opts.steps) } });
  process.stdout.write(`${r.steps} steps of ${opts.size}×${opts.size} matmul on ${r.backend}: ${r.msPerStep.toFixed(2)} ms/step (checksum ${r.checksum.toFixed(4)})\n`);
}
