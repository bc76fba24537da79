/**
 * A small seeded PRNG (mulberry32) whose whole state is one uint32, so it can be saved in a
 * checkpoint and restored exactly (training resume needs the data order to continue, not restart).
 * Not for cryptography: it only has to be fast, reproducible across platforms and well mixed.
 */
export interface Rng {
  /** uniform float in [0, 1) */
  next(): number;
  /** uniform integer in [0, n) */
  int(n: number): number;
  /** the state to pass to `rngFromState` to continue this exact sequence */
  state(): number;
}

export function createRng(seed: number): Rng {
  return rngFromState(hashSeed(seed));
}

export function rngFromState(state: number): Rng {
  if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) {
    throw new Error(`invalid RNG state ${state}: expected an integer in [0, 2^32)`);
  }
  let s = state >>> 0;
  const nextUint32 = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    next: () => nextUint32() / 4294967296,
    int: (n) => {
      if (!Number.isInteger(n) || n < 1) throw new Error(`rng.int needs a positive integer bound, got ${n}`);
      return Math.floor((nextUint32() / 4294967296) * n);
    },
    state: () => s,
  };
}

/**
 * Mixes a seed with labels (e.g. 'epoch', 3) into a new uint32 seed, so independent streams
 * (split, subsample, each epoch's shuffle) never share a sequence and each can be recreated alone.
 */
export function deriveSeed(seed: number, ...labels: Array<string | number>): number {
  let h = hashSeed(seed);
  for (const label of labels) {
    const text = String(label);
    for (let i = 0; i < text.length; i++) h = hashSeed((h ^ text.charCodeAt(i)) >>> 0);
    h = hashSeed((h ^ 0x9e3779b9) >>> 0); // separator, so ('ab') and ('a','b') differ
  }
  return h;
}

/** In-place Fisher–Yates shuffle driven by `rng`. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}

/** murmur3's 32-bit finaliser: spreads nearby seeds (1, 2, 3…) over the whole state space. */
function hashSeed(seed: number): number {
  if (!Number.isFinite(seed)) throw new Error(`invalid seed ${seed}: expected a finite number`);
  let h = Math.trunc(seed) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
