import { createRng, deriveSeed, shuffleInPlace } from '../core/random';

/**
 * Seeded, reproducible split of images into train/val/test by group (sequence): all frames of a
 * sequence land in one split, because neighbouring frames are near-duplicates and would leak
 * between training and validation otherwise. What a group is comes from the scan (sub-folder;
 * a file directly in the root is its own group, so a flat folder of photos is split by file).
 */
export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];
/** fractions of images for train, val, test; they must add up to 1 */
export type SplitRatios = readonly [number, number, number];

export function validateRatios(ratios: SplitRatios): void {
  if (ratios.length !== 3 || ratios.some((r) => !Number.isFinite(r) || r < 0 || r > 1)) {
    throw new Error(`split ratios must be three numbers in [0, 1], got [${ratios.join(', ')}]`);
  }
  const sum = ratios[0] + ratios[1] + ratios[2];
  if (Math.abs(sum - 1) > 1e-6) throw new Error(`split ratios must add up to 1, got ${sum}`);
}

/**
 * Assigns each group to a split. Groups are shuffled (seeded) and laid end to end by image count;
 * a group goes to the split its middle image falls into, so the image ratios are met as closely
 * as whole groups allow. If a split with a non-zero ratio ends up empty while another split has
 * several groups, one group is moved over: a 3-group set with ratios 0.8/0.1/0.1 still gets a
 * validation group.
 */
export function assignSplits(groups: ReadonlyArray<{ group: string; size: number }>, ratios: SplitRatios, seed: number): Map<string, SplitName> {
  validateRatios(ratios);
  const order = [...groups].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  for (let i = 1; i < order.length; i++) {
    if ((order[i] as { group: string }).group === (order[i - 1] as { group: string }).group) {
      throw new Error(`group "${(order[i] as { group: string }).group}" is listed twice`);
    }
  }
  shuffleInPlace(order, createRng(deriveSeed(seed, 'split')));
  const total = order.reduce((s, g) => s + g.size, 0);
  const ends = [ratios[0] * total, (ratios[0] + ratios[1]) * total, Infinity];
  const lastUsed = [2, 1, 0].find((i) => (ratios[i] as number) > 0) as number;

  const members: Record<SplitName, string[]> = { train: [], val: [], test: [] };
  let start = 0;
  for (const g of order) {
    const middle = start + g.size / 2;
    let index = lastUsed;
    for (let i = 0; i < 3; i++) {
      if ((ratios[i] as number) > 0 && middle < (ends[i] as number)) {
        index = i;
        break;
      }
    }
    members[SPLIT_NAMES[index] as SplitName].push(g.group);
    start += g.size;
  }

  SPLIT_NAMES.forEach((name, i) => {
    if ((ratios[i] as number) === 0 || members[name].length > 0) return;
    const donor = SPLIT_NAMES.filter((n) => members[n].length > 1).sort((a, b) => members[b].length - members[a].length)[0];
    if (donor) members[name].push(members[donor].pop() as string);
  });

  const result = new Map<string, SplitName>();
  for (const name of SPLIT_NAMES) for (const g of members[name]) result.set(g, name);
  return result;
}

/**
 * Keeps about `fraction` of the images, spread over all groups: each group keeps
 * floor(fraction · n) images plus one more with probability equal to the remainder, chosen at
 * random (seeded). Sequences of 100 frames at 0.1 keep exactly 10 frames each; a flat folder
 * keeps about 10 % of its photos. The split of a group never depends on the fraction.
 */
export function subsampleByGroup<T extends { group: string; relPath: string }>(items: readonly T[], fraction: number, seed: number): T[] {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`fraction must be in (0, 1], got ${fraction}`);
  if (fraction === 1) return [...items];
  const byGroup = new Map<string, T[]>();
  for (const it of items) {
    const list = byGroup.get(it.group);
    if (list) list.push(it);
    else byGroup.set(it.group, [it]);
  }
  const rng = createRng(deriveSeed(seed, 'subsample'));
  const kept: T[] = [];
  for (const group of [...byGroup.keys()].sort()) {
    const list = (byGroup.get(group) as T[]).slice().sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
    const exact = fraction * list.length;
    const keep = Math.floor(exact) + (rng.next() < exact - Math.floor(exact) ? 1 : 0);
    kept.push(...shuffleInPlace(list, rng).slice(0, keep));
  }
  return kept.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}
