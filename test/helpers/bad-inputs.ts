/**
 * Builds a folder of awkward inputs for the scan/prepare tests: good images in odd encodings and
 * files that must be skipped, each with the reason the engine should give.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { SkipReason } from '../../src/engine/image/decode';

export interface BadInputsFolder {
  root: string;
  /** relPath → reason, for every file the engine must skip */
  skipped: Record<string, SkipReason>;
  /** relPaths of files the engine must accept, with their displayed size (EXIF orientation applied) */
  accepted: Record<string, { width: number; height: number }>;
  /** pixel limit to pass so that `huge.png` counts as too large */
  limitInputPixels: number;
  /** true when running as root: chmod 000 does not stop root from reading, so `locked.png` is readable */
  runningAsRoot: boolean;
}

const W = 40;
const H = 30;

/** A 40×30 RGB pattern: left half one colour, right half another (orientation is visible). */
function halves(left: [number, number, number], right: [number, number, number]): Sharp {
  const data = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const c = x < W / 2 ? left : right;
      data.set(c, (y * W + x) * 3);
    }
  }
  return sharp(data, { raw: { width: W, height: H, channels: 3 } });
}

export async function makeBadInputsFolder(root: string): Promise<BadInputsFolder> {
  await fs.mkdir(path.join(root, 'seqA'), { recursive: true });
  await fs.mkdir(path.join(root, 'seqB'), { recursive: true });
  await fs.mkdir(path.join(root, 'folder.jpg'), { recursive: true }); // a folder with an image's name

  const accepted: BadInputsFolder['accepted'] = {};
  const skipped: BadInputsFolder['skipped'] = {};
  const put = async (rel: string, img: Sharp, size = { width: W, height: H }): Promise<Buffer> => {
    const file = path.join(root, rel);
    await img.toFile(file);
    accepted[rel] = size;
    return fs.readFile(file);
  };

  // Good files in sequences (sub-folders) and in the root.
  await put('seqA/0001.png', halves([250, 10, 10], [10, 10, 250]).png());
  await put('seqA/0002.png', halves([10, 250, 10], [250, 250, 10]).png());
  const jpeg = await put('seqB/0001.jpg', halves([200, 100, 50], [50, 100, 200]).jpeg({ quality: 95 }));
  await put('seqB/0002.jpeg', halves([100, 100, 100], [150, 150, 150]).jpeg({ quality: 95 }));
  await put('sixteen-bit.png', halves([128, 128, 128], [128, 128, 128]).toColourspace('rgb16').png());
  await put('grey.png', halves([100, 100, 100], [100, 100, 100]).toColourspace('b-w').png());
  await put('cmyk.jpg', halves([200, 60, 60], [200, 60, 60]).toColourspace('cmyk').jpeg({ quality: 95 }));
  // RGBA: the left half is opaque white, the right half fully transparent white (must become black).
  const rgba = Buffer.alloc(W * H * 4);
  for (let i = 0; i < W * H; i++) rgba.set([255, 255, 255, i % W < W / 2 ? 255 : 0], i * 4);
  await put('alpha.png', sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png());
  // Stored 40×30 with red left / blue right; EXIF orientation 6 displays it rotated 90° clockwise:
  // 30×40 with red on top and blue at the bottom.
  await put('rotated.jpg', halves([255, 0, 0], [0, 0, 255]).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }), { width: H, height: W });
  await put('фото ünïcode.png', halves([30, 60, 90], [90, 60, 30]).png());
  await put('locked.png', halves([1, 2, 3], [4, 5, 6]).png());
  await fs.chmod(path.join(root, 'locked.png'), 0o000);

  // Files to skip.
  await fs.writeFile(path.join(root, 'empty.jpg'), '');
  skipped['empty.jpg'] = 'empty';
  await fs.writeFile(path.join(root, 'seqA/truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
  skipped['seqA/truncated.jpg'] = 'truncated';
  const png = await fs.readFile(path.join(root, 'seqA/0001.png'));
  await fs.writeFile(path.join(root, 'truncated.png'), png.subarray(0, Math.floor(png.length * 0.7)));
  skipped['truncated.png'] = 'truncated';
  await fs.writeFile(path.join(root, 'text.png'), 'this is a text file with an image extension\n');
  skipped['text.png'] = 'not-an-image';
  await fs.writeFile(path.join(root, 'notes.txt'), 'not an image\n');
  skipped['notes.txt'] = 'not-an-image';
  await sharp({ create: { width: 2500, height: 2000, channels: 3, background: '#808080' } })
    .png()
    .toFile(path.join(root, 'huge.png'));
  skipped['huge.png'] = 'too-large';
  await fs.symlink(path.join(root, 'does-not-exist.jpg'), path.join(root, 'dangling.jpg'));
  skipped['dangling.jpg'] = 'unreadable';

  const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!runningAsRoot) {
    delete accepted['locked.png'];
    skipped['locked.png'] = 'unreadable';
  }
  return { root, skipped, accepted, limitInputPixels: 4_000_000, runningAsRoot };
}

/** Every file under `dir` with size, mtime and content, to prove a folder was not modified. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      const st = await fs.lstat(p);
      if (e.isDirectory()) {
        out[`${r}/`] = `dir ${st.mode}`;
        await walk(p, r);
      } else if (e.isSymbolicLink()) {
        out[r] = `link ${await fs.readlink(p)}`;
      } else {
        out[r] = `${st.size} ${st.mtimeMs} ${st.mode}`;
      }
    }
  };
  await walk(dir, '');
  return out;
}
