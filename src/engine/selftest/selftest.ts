import type { JobParams, JobResult } from '../../shared/contract';
import type { JobContext } from '../jobs/job-context';
import { selectRuntime } from '../runtime/select';
import { tf } from '../runtime/tf';

/**
 * A real, small job on the selected backend: repeated matrix products with progress and cancel.
 * It proves end to end that the engine computes (not just answers) and gives a rough speed figure.
 */
export async function runSelftest(params: JobParams<'selftest'>, ctx: JobContext): Promise<JobResult<'selftest'>> {
  const runtime = await selectRuntime();
  const { size, steps } = params;
  let a = tf.tidy(() => tf.randomUniform([size, size], -1, 1, 'float32', 7));
  const b = tf.tidy(() => tf.eye(size).mul(0.5).add(tf.randomUniform([size, size], -0.01, 0.01, 'float32', 8)));
  const t0 = performance.now();
  try {
    for (let i = 0; i < steps; i++) {
      ctx.throwIfCancelled();
      await ctx.waitWhilePaused();
      const next = tf.tidy(() => tf.matMul(a, b).tanh());
      a.dispose();
      a = next;
      await a.data(); // forces the kernel to run now, so progress reflects real work
      ctx.progress((i + 1) / steps, `step ${i + 1}/${steps}`);
    }
    const checksum = (await a.sum().data())[0] ?? NaN;
    return { backend: runtime.backend, steps, msPerStep: (performance.now() - t0) / steps, checksum };
  } finally {
    a.dispose();
    b.dispose();
  }
}
