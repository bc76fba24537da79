/**
 * Tiny prepared data sets for the training tests: 64×64 tiles cut from the real-photo fixtures,
 * run through the real `prepare` job (OpenCV-exact Gaussian blur), so training sees real texture.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { BlurKernel } from '../../src/shared/contract';
import { prepareDataset } from '../../src/engine/data/prepare';
import { createTestContext } from '../../src/engine/jobs/job-context';
import { fixturePath } from '../helpers/fixtures';

/** Cuts `count` side×side tiles (row by row) from the textured parts of the fixture photos into `dir/source`, then prepares them into `dir/prepared`. */
export async function makeTileDataset(dir: string, opts: { count: number; side?: number; levels?: BlurKernel[]; split?: [number, number, number] }): Promise<string> {
  const side = opts.side ?? 64;
  const source = path.join(dir, 'source');
  await mkdir(source, { recursive: true });
  let made = 0;
  // The dune photo's top rows are smooth sky (a blur barely changes them); its sand below is textured.
  for (const [photo, top] of [['dune-640x360.png', 128], ['ladybird-300x170.png', 0]] as const) {
    const meta = await sharp(fixturePath('photos', photo)).metadata();
    for (let y = top; y + side <= (meta.height ?? 0) && made < opts.count; y += side) {
      for (let x = 0; x + side <= (meta.width ?? 0) && made < opts.count; x += side) {
        await sharp(fixturePath('photos', photo)).extract({ left: x, top: y, width: side, height: side }).png().toFile(path.join(source, `tile-${String(made).padStart(3, '0')}.png`));
        made++;
      }
    }
  }
  if (made < opts.count) throw new Error(`only ${made} tiles of ${side} px fit in the fixtures`);
  const prepared = path.join(dir, 'prepared');
  await prepareDataset(
    { source, output: prepared, levels: opts.levels ?? [11], width: side, height: side, split: opts.split ?? [0.75, 0.25, 0], seed: 3 },
    createTestContext(),
    { concurrency: 2 },
  );
  return prepared;
}

/** Whole 448×256 frames (the seed model's only size) from the two fixture photos that have that aspect. */
export async function makeFrameDataset(dir: string): Promise<string> {
  const source = path.join(dir, 'frames');
  await mkdir(source, { recursive: true });
  for (const photo of ['dune-640x360.png', 'ladybird-300x170.png']) {
    await sharp(fixturePath('photos', photo)).png().toFile(path.join(source, photo));
  }
  const prepared = path.join(dir, 'prepared-frames');
  await prepareDataset({ source, output: prepared, levels: [7], split: [0.5, 0.5, 0], seed: 1 }, createTestContext(), { concurrency: 2 });
  return prepared;
}

/** Events of one type from a test context, typed loosely. */
export function eventsOf<T = Record<string, unknown>>(ctx: { events: Array<{ event: string; payload: unknown }> }, name: string): T[] {
  return ctx.events.filter((e) => e.event === name).map((e) => e.payload as T);
}
