import { createRng, deriveSeed } from '../core/random';

/**
 * Runs `fn` (a synchronous model build) with Math.random drawn from a PRNG seeded by `seed`.
 *
 * Why: TF.js weight initialisers without an explicit seed seed their generators from Math.random,
 * and the model zoo builds models without seeds. Seeding Math.random for the duration of the build
 * makes a run's initial weights a function of its seed, so two runs with the same settings are the
 * same run (and a stopped-and-resumed run can be checked against an uninterrupted one).
 * Safe because `fn` is synchronous: no other code can run (and draw from Math.random) meanwhile.
 */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const rng = createRng(deriveSeed(seed, 'weights'));
  const original = Math.random;
  Math.random = () => rng.next();
  try {
    const result = fn();
    if (result instanceof Promise) throw new Error('withSeededRandom: fn must be synchronous');
    return result;
  } finally {
    Math.random = original;
  }
}
