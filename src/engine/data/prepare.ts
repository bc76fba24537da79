import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import packageJson from '../../../package.json' with { type: 'json' };
import { BLUR_LEVELS, prepareParams, type JobParamsInput, type JobResult } from '../../shared/contract';
import { removeStaleTempFiles, writeFileAtomic } from '../fs/atomic';
import { assertWritableOutputFolder } from '../fs/output-check';
import { isInside, realDir, realPathOfFuture } from '../fs/paths';
import { DecodeError } from '../image/decode';
import type { JobContext } from '../jobs/job-context';
import { PoolUnavailableError, sharedComputePool } from './compute-pool';
import { mapConcurrent } from '../core/concurrency';
import { assignIds } from './ids';
import { Journal, readJournal } from '../fs/jsonl';
import {
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  SHARP_DIR,
  blurDirName,
  manifestItemSchema,
  prepareSettingsSchema,
  readManifest,
  type DatasetManifest,
  type ManifestItem,
  type OutputFile,
  type PrepareSettings,
} from './manifest';
import { acquireOutputLock } from './output-lock';
import { isOtherOrientation } from './frame-fit';
import { computeItem, type ComputeResult, type ComputeTask } from './prepare-compute';
import { scanFolder, type ScannedImage, type SkippedFile } from './scan';
import { SPLIT_NAMES, assignSplits, subsampleByGroup, type SplitName } from './split';

/**
 * The "prepare" job: turns a folder of sharp photos into the training set.
 * Set A = every image resized to width×height like cv2.resize (INTER_LINEAR);
 * set B = set A blurred like cv2.GaussianBlur at each level; all written as lossless PNG with a
 * manifest (sources, checksums, settings, versions). Resumable: finished items are journaled as
 * they complete and skipped on the next run when their files are intact.
 * The source folder is only ever read.
 */
export const JOURNAL_FILE = '.prepare-journal.jsonl';
export type PrepareResult = JobResult<'prepare'>;

export interface PrepareOptions {
  /** images in flight at once (default: 2 × CPU cores: one computing, one waiting for I/O per core) */
  concurrency?: number;
  limitInputPixels?: number;
  /** how finished items of an earlier run are checked before reuse: file sizes (default) or full checksums */
  verify?: 'size' | 'checksum';
  /** PNG zlib level 0–9: speed vs size, never quality (default 3) */
  pngCompressionLevel?: number;
  /** compute on worker threads (default true; falls back to this thread if none can start) */
  useWorkers?: boolean;
}

const RESIZE_METHOD = 'cv2.resize INTER_LINEAR (11-bit fixed point, pixel-centre mapping)';
const BLUR_METHOD = 'cv2.GaussianBlur BORDER_REFLECT_101 (8-bit fixed point)';
const DEFAULT_LIMIT_PIXELS = 100_000_000;

interface JournalHeader {
  type: 'header';
  source: string;
  settings: PrepareSettings;
}

interface PlannedItem {
  image: ScannedImage;
  id: string;
  split: SplitName;
}

export async function prepareDataset(input: JobParamsInput<'prepare'>, ctx: JobContext, options: PrepareOptions = {}): Promise<PrepareResult> {
  const params = prepareParams.parse(input);
  const levels = [...new Set(params.levels)].sort((a, b) => a - b);
  const source = await realDir(params.source, 'source folder');
  // Checked before the output folder is created: a refused output must not leave a folder behind.
  assertSeparate(source, await realPathOfFuture(params.output));
  await assertWritableOutputFolder(params.output, 'output', 'the output folder');
  await fs.mkdir(params.output, { recursive: true });
  const output = await realDir(params.output, 'output folder');

  const settings: PrepareSettings = {
    width: params.width,
    height: params.height,
    levels,
    sigmas: Object.fromEntries(levels.map((k) => [String(k), BLUR_LEVELS[k]])),
    fraction: params.fraction,
    seed: params.seed,
    split: params.split,
    limitInputPixels: options.limitInputPixels ?? DEFAULT_LIMIT_PIXELS,
    resize: RESIZE_METHOD,
    blur: BLUR_METHOD,
    png: { compressionLevel: options.pngCompressionLevel ?? 3 },
    ...(params.fit === 'crop' ? { fit: 'crop' as const } : {}),
  };

  const release = await acquireOutputLock(output);
  let journal: Journal | null = null;
  try {
    await removeStaleTempFiles(output);
    const journalPath = path.join(output, JOURNAL_FILE);
    const previous = await loadPreviousRun(output, journalPath, source, settings);

    ctx.progress(0, 'scanning the source folder');
    // The output is left out by real path: it may lie inside a linked sub-folder of the source.
    const scan = await scanFolder(source, { limitInputPixels: settings.limitInputPixels, exclude: [output] }, scaledContext(ctx, 0, 0.05));
    if (scan.images.length === 0) {
      const reasons = [...new Set(scan.skipped.map((s) => s.reason))].join(', ');
      throw new Error(`the source folder ${source} holds no usable images${scan.skipped.length ? ` (${scan.skipped.length} files skipped: ${reasons})` : ''}`);
    }
    const plan = planItems(scan.images, settings);
    if (plan.length === 0) throw new Error(`a fraction of ${settings.fraction} keeps none of the ${scan.images.length} images; choose a larger fraction`);

    const portrait = warnOtherOrientation(plan, settings, ctx);

    journal = await Journal.open(journalPath);
    if (!previous.headerWritten) await journal.append({ type: 'header', source, settings } satisfies JournalHeader);

    // Every output folder up front (a dozen), instead of a mkdir per written file.
    for (const dir of [SHARP_DIR, ...levels.map(blurDirName)]) {
      for (const split of new Set(plan.map((p) => p.split))) await fs.mkdir(path.join(output, dir, split), { recursive: true });
    }
    const compute = computeWith(options.useWorkers ?? true, ctx);
    const created = new Date().toISOString();
    const done = new Map<string, ManifestItem>();
    const failed: SkippedFile[] = [];
    let written = 0;
    let reused = 0;
    let finished = 0;
    const report = (): void => {
      finished++;
      ctx.progress(0.05 + (0.93 * finished) / Math.max(1, plan.length), `prepared ${finished}/${plan.length} images`);
    };

    await mapConcurrent(plan, options.concurrency ?? 2 * os.availableParallelism(), async (item) => {
      ctx.throwIfCancelled();
      await ctx.waitWhilePaused();
      const prior = previous.items.get(item.id);
      if (prior && (await isReusable(prior, item, output, settings, options.verify ?? 'size'))) {
        done.set(item.id, prior);
        reused++;
        report();
        return;
      }
      try {
        const record = await processItem(item, output, settings, compute);
        await (journal as Journal).append(record);
        done.set(item.id, record);
        written++;
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        failed.push({ relPath: item.image.relPath, reason: err.reason, detail: err.detail });
        ctx.log('warn', `skipped ${item.image.relPath}: ${err.message}`);
      }
      report();
    });

    const items = plan.filter((p) => done.has(p.id)).map((p) => done.get(p.id) as ManifestItem);
    const skipped = [...scan.skipped, ...failed].sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
    const manifest: DatasetManifest = {
      format: MANIFEST_FORMAT,
      version: 1,
      complete: true,
      createdAt: previous.createdAt ?? created,
      updatedAt: new Date().toISOString(),
      app: { name: packageJson.name, version: packageJson.version },
      sharp: { sharp: sharp.versions.sharp ?? 'unknown', libvips: sharp.versions.vips },
      source: { path: source },
      settings,
      splits: summariseSplits(items),
      items,
      skipped,
    };
    ctx.progress(0.98, 'writing the manifest');
    await removeOrphans(output, items, levels);
    await writeFileAtomic(path.join(output, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
    await journal.close();
    journal = null;
    await fs.rm(journalPath, { force: true });

    const bySplit: Record<string, number> = {};
    for (const name of SPLIT_NAMES) bySplit[name] = manifest.splits[name]?.images ?? 0;
    return {
      output,
      images: items.length,
      written,
      reused,
      bySplit,
      portrait,
      skipped: skipped.map((s) => ({ path: path.join(source, ...s.relPath.split('/')), reason: `${s.reason}: ${s.detail}` })),
    };
  } finally {
    await journal?.close().catch(() => undefined);
    await release();
  }
}

/** One warning per photo of the frame's other orientation (they are squeezed when stretched); returns how many. */
function warnOtherOrientation(plan: PlannedItem[], settings: PrepareSettings, ctx: JobContext): number {
  const frame = `${settings.width}×${settings.height}`;
  let count = 0;
  for (const { image } of plan) {
    if (!isOtherOrientation(image.width, image.height, settings.width, settings.height)) continue;
    count++;
    const what = `${image.relPath} is ${image.width}×${image.height}, the other orientation than ${frame}`;
    ctx.log('warn', settings.fit !== 'crop' ? `${what}: it is stretched to ${frame} (distorted); --fit crop keeps its proportions by cutting the centred ${frame} window` : `${what}: its centred window is cropped`);
  }
  return count;
}

/** Which images go into which split, after subsampling; ids are unique file names. */
function planItems(images: ScannedImage[], settings: PrepareSettings): PlannedItem[] {
  const groupSizes = new Map<string, number>();
  for (const img of images) groupSizes.set(img.group, (groupSizes.get(img.group) ?? 0) + 1);
  const splits = assignSplits(
    [...groupSizes].map(([group, size]) => ({ group, size })),
    settings.split,
    settings.seed,
  );
  // Ids come from all scanned paths (not only the kept ones): changing the fraction never renames files.
  const ids = assignIds(images.map((i) => i.relPath));
  return subsampleByGroup(images, settings.fraction, settings.seed).map((image) => ({
    image,
    id: ids.get(image.relPath) as string,
    split: splits.get(image.group) as SplitName,
  }));
}

/** Computes an item (on the worker pool, or here) and writes its PNGs; returns the finished record. */
async function processItem(item: PlannedItem, output: string, settings: PrepareSettings, compute: (t: ComputeTask) => Promise<ComputeResult>): Promise<ManifestItem> {
  const result = await compute({
    file: item.image.path,
    width: settings.width,
    height: settings.height,
    levels: settings.levels,
    sigmas: settings.sigmas,
    pngLevel: settings.png.compressionLevel,
    limitInputPixels: settings.limitInputPixels,
    fit: settings.fit,
  });
  const outputs: Record<string, OutputFile> = {};
  for (const png of result.pngs) {
    const rel = `${png.dir}/${item.split}/${item.id}.png`;
    const abs = path.join(output, png.dir, item.split, `${item.id}.png`);
    await writeFileAtomic(abs, png.data, { durable: false });
    outputs[png.dir] = { file: rel, bytes: png.data.length, sha256: png.sha256 };
  }
  return {
    id: item.id,
    split: item.split,
    group: item.image.group,
    source: {
      relPath: item.image.relPath,
      bytes: result.sourceBytes,
      mtimeMs: item.image.mtimeMs,
      width: result.width,
      height: result.height,
      sha256: result.sourceSha256,
    },
    outputs,
  };
}

/**
 * Where items are computed: the shared worker pool (all cores, main thread free), falling back to
 * this thread if no worker can be started.
 */
function computeWith(useWorkers: boolean, ctx: JobContext): (t: ComputeTask) => Promise<ComputeResult> {
  let inline = !useWorkers;
  return async (task) => {
    if (!inline) {
      try {
        return await sharedComputePool().run(task);
      } catch (err) {
        if (!(err instanceof PoolUnavailableError)) throw err;
        inline = true;
        ctx.log('warn', `${err.message}; computing on the main thread`);
      }
    }
    return computeItem(task);
  };
}

/** A finished item of an earlier run is reused only if its source is unchanged and its files are intact. */
async function isReusable(prior: ManifestItem, item: PlannedItem, output: string, settings: PrepareSettings, verify: 'size' | 'checksum'): Promise<boolean> {
  if (prior.split !== item.split || prior.source.relPath !== item.image.relPath) return false;
  if (prior.source.bytes !== item.image.bytes || prior.source.mtimeMs !== item.image.mtimeMs) return false;
  const expected = [SHARP_DIR, ...settings.levels.map(blurDirName)];
  for (const dir of expected) {
    const out = prior.outputs[dir];
    if (!out || out.file !== `${dir}/${item.split}/${item.id}.png`) return false;
    const abs = path.join(output, ...out.file.split('/'));
    try {
      if (verify === 'checksum') {
        const data = await fs.readFile(abs);
        if (data.length !== out.bytes || createHash('sha256').update(data).digest('hex') !== out.sha256) return false;
      } else if ((await fs.stat(abs)).size !== out.bytes) return false;
    } catch {
      return false;
    }
  }
  return true;
}

interface PreviousRun {
  items: Map<string, ManifestItem>;
  createdAt: string | null;
  headerWritten: boolean;
}

/**
 * What an earlier run in this folder finished: the manifest's items (a finished run) plus the
 * journal's (a run that was stopped). Settings or source that differ make the folder unusable
 * for this run: mixing two data sets would make the manifest lie.
 */
async function loadPreviousRun(output: string, journalPath: string, source: string, settings: PrepareSettings): Promise<PreviousRun> {
  const items = new Map<string, ManifestItem>();
  const manifest = await readManifest(output);
  const records = await readJournal(journalPath);
  const header = records[0] as Partial<JournalHeader> | undefined;

  const check = (what: string, theirSource: string, theirSettings: unknown): void => {
    const parsed = prepareSettingsSchema.safeParse(theirSettings);
    if (theirSource !== source) {
      throw new Error(`the output folder already holds a data set prepared from ${theirSource} (${what}); choose an empty output folder`);
    }
    if (!parsed.success || JSON.stringify(parsed.data) !== JSON.stringify(settings)) {
      throw new Error(
        `the output folder already holds a data set prepared with other settings (${what}: ${JSON.stringify(theirSettings)}); ` +
          'choose an empty output folder or delete that one',
      );
    }
  };
  if (manifest) {
    check(MANIFEST_FILE, manifest.source.path, manifest.settings);
    for (const it of manifest.items) items.set(it.id, it);
  }
  if (header) {
    if (header.type !== 'header') throw new Error(`${journalPath} is damaged (no header line); delete it to start over`);
    check(JOURNAL_FILE, String(header.source), header.settings);
    for (const rec of records.slice(1)) {
      const parsed = manifestItemSchema.safeParse(rec);
      if (parsed.success) items.set(parsed.data.id, parsed.data);
    }
  }
  if (!manifest && !header) {
    const entries = (await fs.readdir(output)).filter((e) => !e.startsWith('.prepare'));
    if (entries.length > 0) {
      throw new Error(`the output folder ${output} is not empty and holds no prepared data set; choose an empty folder`);
    }
  }
  return { items, createdAt: manifest?.createdAt ?? null, headerWritten: header !== undefined };
}

/** Deletes files in the output sub-folders that no item refers to (e.g. of sources deleted since the last run). */
async function removeOrphans(output: string, items: ManifestItem[], levels: number[]): Promise<void> {
  const wanted = new Set<string>();
  for (const it of items) for (const o of Object.values(it.outputs)) wanted.add(o.file);
  for (const dir of [SHARP_DIR, ...levels.map(blurDirName)]) {
    for (const split of SPLIT_NAMES) {
      const folder = path.join(output, dir, split);
      const files = await fs.readdir(folder).catch(() => [] as string[]);
      for (const f of files) if (!wanted.has(`${dir}/${split}/${f}`)) await fs.rm(path.join(folder, f), { force: true });
    }
  }
}

function summariseSplits(items: ManifestItem[]): DatasetManifest['splits'] {
  const splits = {} as DatasetManifest['splits'];
  for (const name of SPLIT_NAMES) {
    const inSplit = items.filter((i) => i.split === name);
    splits[name] = { groups: new Set(inSplit.map((i) => i.group)).size, images: inSplit.length };
  }
  return splits;
}

/** The source is read-only for this job: refuse an output inside it (or around it). */
function assertSeparate(source: string, output: string): void {
  if (isInside(source, output)) throw new Error(`the output folder ${output} is inside the source folder ${source}; choose a folder outside it (the source is never written to)`);
  if (isInside(output, source)) throw new Error(`the source folder ${source} is inside the output folder ${output}; choose separate folders`);
}

/** Maps a sub-task's progress [0,1] into [from, to] of the job's. */
function scaledContext(ctx: JobContext, from: number, to: number): JobContext {
  return {
    signal: ctx.signal,
    progress: (f, message) => ctx.progress(from + (to - from) * f, message),
    log: (level, message) => ctx.log(level, message),
    emit: (event, payload) => ctx.emit(event, payload),
    throwIfCancelled: () => ctx.throwIfCancelled(),
    waitWhilePaused: () => ctx.waitWhilePaused(),
  };
}
