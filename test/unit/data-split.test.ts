import { describe, expect, it } from 'vitest';
import { assignIds } from '../../src/engine/data/ids';
import { createRng, deriveSeed, rngFromState, shuffleInPlace } from '../../src/engine/core/random';
import { assignSplits, subsampleByGroup, validateRatios } from '../../src/engine/data/split';

describe('seeded RNG', () => {
  it('is reproducible from the seed and continues exactly from a saved state', () => {
    const a = createRng(42);
    const first = Array.from({ length: 5 }, () => a.next());
    const b = createRng(42);
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    const saved = a.state();
    const restored = rngFromState(saved);
    expect(Array.from({ length: 10 }, () => restored.next())).toEqual(Array.from({ length: 10 }, () => a.next()));
  });

  it('gives different streams for different seeds and labels', () => {
    expect(createRng(1).next()).not.toBe(createRng(2).next());
    expect(deriveSeed(1, 'epoch', 0)).not.toBe(deriveSeed(1, 'epoch', 1));
    expect(deriveSeed(1, 'ab')).not.toBe(deriveSeed(1, 'a', 'b'));
    expect(deriveSeed(7, 'x')).toBe(deriveSeed(7, 'x'));
  });

  it('draws uniformly enough (mean, int range) and shuffles into a permutation', () => {
    const rng = createRng(3);
    let sum = 0;
    let min = 1;
    let max = 0;
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const v = rng.next();
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
      counts[rng.int(10)]++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / 20_000).toBeCloseTo(0.5, 1);
    for (const c of counts) expect(c).toBeGreaterThan(1700);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = shuffleInPlace([...items], createRng(9));
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
  });

  it('rejects invalid states with a clear message', () => {
    expect(() => rngFromState(-1)).toThrow(/invalid RNG state/);
    expect(() => rngFromState(2 ** 32)).toThrow(/invalid RNG state/);
  });
});

const reds = Array.from({ length: 240 }, (_, i) => ({ group: String(i).padStart(3, '0'), size: 100 }));

describe('assignSplits', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    const a = assignSplits(reds, [0.8, 0.1, 0.1], 1);
    const b = assignSplits([...reds].reverse(), [0.8, 0.1, 0.1], 1); // input order does not matter
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
    const c = assignSplits(reds, [0.8, 0.1, 0.1], 2);
    expect([...a.entries()].sort()).not.toEqual([...c.entries()].sort());
  });

  it('puts every group in exactly one split and meets the ratios by image count', () => {
    const splits = assignSplits(reds, [0.8, 0.1, 0.1], 5);
    expect(splits.size).toBe(240);
    const count = (name: string): number => [...splits.values()].filter((s) => s === name).length;
    expect(count('train')).toBe(192);
    expect(count('val')).toBe(24);
    expect(count('test')).toBe(24);
  });

  it('never lets a sequence span two splits, with uneven group sizes too', () => {
    const groups = Array.from({ length: 30 }, (_, i) => ({ group: `g${i}`, size: 1 + ((i * 37) % 50) }));
    const splits = assignSplits(groups, [0.7, 0.2, 0.1], 11);
    const items = groups.flatMap((g) => Array.from({ length: g.size }, (_, k) => ({ group: g.group, k })));
    const seen = new Map<string, string>();
    for (const it of items) {
      const s = splits.get(it.group) as string;
      expect(s).toBeDefined();
      if (seen.has(it.group)) expect(seen.get(it.group)).toBe(s);
      seen.set(it.group, s);
    }
    const total = items.length;
    const trainImages = groups.filter((g) => splits.get(g.group) === 'train').reduce((a, g) => a + g.size, 0);
    expect(Math.abs(trainImages / total - 0.7)).toBeLessThan(0.15);
  });

  it('gives a split with a non-zero ratio at least one group when there are enough groups', () => {
    const few = [{ group: 'a', size: 10 }, { group: 'b', size: 10 }, { group: 'c', size: 10 }];
    const splits = assignSplits(few, [0.8, 0.1, 0.1], 1);
    expect(new Set(splits.values())).toEqual(new Set(['train', 'val', 'test']));
  });

  it('leaves a split with ratio 0 empty', () => {
    const splits = assignSplits(reds, [0.9, 0.1, 0], 1);
    expect([...splits.values()].filter((s) => s === 'test')).toEqual([]);
    expect([...splits.values()].filter((s) => s === 'val').length).toBe(24);
  });

  it('validates the ratios', () => {
    expect(() => validateRatios([0.5, 0.2, 0.2])).toThrow(/add up to 1/);
    expect(() => validateRatios([1.2, -0.1, -0.1])).toThrow(/three numbers in \[0, 1\]/);
  });
});

describe('subsampleByGroup', () => {
  const items = reds.flatMap((g) => Array.from({ length: 100 }, (_, k) => ({ group: g.group, relPath: `${g.group}/${String(k).padStart(8, '0')}.png` })));

  it('keeps exactly the fraction of every 100-frame sequence, reproducibly', () => {
    const kept = subsampleByGroup(items, 0.1, 1);
    expect(kept.length).toBe(2400);
    const perGroup = new Map<string, number>();
    for (const k of kept) perGroup.set(k.group, (perGroup.get(k.group) ?? 0) + 1);
    expect([...perGroup.values()].every((n) => n === 10)).toBe(true);
    expect(subsampleByGroup(items, 0.1, 1)).toEqual(kept);
    expect(subsampleByGroup(items, 0.1, 2)).not.toEqual(kept);
  });

  it('keeps about the fraction of a flat folder (each photo its own group)', () => {
    const flat = Array.from({ length: 1000 }, (_, i) => ({ group: `p${i}.jpg`, relPath: `p${i}.jpg` }));
    const kept = subsampleByGroup(flat, 0.1, 3);
    expect(kept.length).toBeGreaterThan(70);
    expect(kept.length).toBeLessThan(130);
  });

  it('keeps everything at fraction 1', () => {
    expect(subsampleByGroup(items.slice(0, 10), 1, 1)).toEqual(items.slice(0, 10));
  });
});

describe('assignIds', () => {
  it('makes readable, unique, filesystem-safe ids', () => {
    const ids = assignIds(['000/00000001.png', 'a/b.png', 'a/b.jpg', 'A/B.png', 'фото 1.png', '.hidden.png']);
    expect(ids.get('000/00000001.png')).toBe('000__00000001');
    const all = [...ids.values()];
    expect(new Set(all.map((i) => i.toLowerCase())).size).toBe(all.length);
    for (const id of all) expect(id).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
    expect(ids.get('a/b.png')).toMatch(/^a__b_[0-9a-f]{10}$/);
  });
});
