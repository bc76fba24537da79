/**
 * Access to the real-photo reference fixtures in test/fixtures (see test/fixtures/README.md).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { RawImage } from '../../src/engine/image/raw-image';

const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Absolute path of a file under test/fixtures, e.g. fixturePath('photos', 'dune-crop-97x61.png'). */
export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES_DIR, ...parts);
}

/**
 * Reads a PNG into an 8-bit HWC RawImage with the channels it stores: grey PNGs give 1 channel,
 * RGB PNGs 3. sharp's raw output would otherwise turn grey into sRGB (3 channels), hence the
 * explicit colour space. PNGs with alpha are refused: no fixture has one, and dropping it silently
 * would hide a broken fixture.
 */
export async function readPngRaw(file: string, expectedChannels?: 1 | 3): Promise<RawImage> {
  const meta = await sharp(file).metadata();
  if (meta.hasAlpha) throw new Error(`${file}: has an alpha channel; fixtures are grey or RGB`);
  if (meta.depth !== 'uchar') throw new Error(`${file}: ${meta.depth} samples; fixtures are 8-bit`);
  const grey = meta.channels === 1;
  const { data, info } = await sharp(file)
    .toColourspace(grey ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== (grey ? 1 : 3)) {
    throw new Error(`${file}: decoded ${info.channels} channels from a ${meta.channels}-channel PNG`);
  }
  if (expectedChannels !== undefined && info.channels !== expectedChannels) {
    throw new Error(`${file}: ${info.channels} channels, expected ${expectedChannels}`);
  }
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    channels: info.channels,
  };
}

/** One pair of metrics/expected.json; paths relative to test/fixtures. */
export interface MetricsPair {
  name: string;
  a: string;
  b: string;
  width: number;
  height: number;
  channels: 1 | 3;
  /** skimage peak_signal_noise_ratio, data_range 255; Infinity for identical images. */
  psnr: number;
  /** skimage structural_similarity, data_range 255, 7×7 uniform window. */
  ssim: number;
  /** PSNR of BT.601 Y (MATLAB rgb2ycbcr scale); colour pairs only. */
  psnrY?: number;
}

interface MetricsPairJson extends Omit<MetricsPair, 'psnr' | 'psnrY'> {
  psnr: number | 'Infinity';
  psnrY?: number | 'Infinity';
}

// JSON has no infinity; make_fixtures.py writes it as the string "Infinity".
function jsonNumber(value: number | 'Infinity', where: string): number {
  if (value === 'Infinity') return Infinity;
  if (typeof value !== 'number') throw new Error(`${where}: not a number: ${JSON.stringify(value)}`);
  return value;
}

/** The pairs of test/fixtures/metrics/expected.json with infinities restored. */
export async function readMetricsExpected(): Promise<MetricsPair[]> {
  const json = JSON.parse(await readFile(fixturePath('metrics', 'expected.json'), 'utf8')) as {
    pairs: MetricsPairJson[];
  };
  return json.pairs.map(({ psnr, psnrY, ...rest }): MetricsPair => {
    const pair: MetricsPair = { ...rest, psnr: jsonNumber(psnr, `${rest.name}.psnr`) };
    if (psnrY !== undefined) pair.psnrY = jsonNumber(psnrY, `${rest.name}.psnrY`);
    return pair;
  });
}

/** One entry of test/fixtures/opencv/manifest.json; paths relative to test/fixtures. */
export type OpencvReference =
  | { op: 'resize'; input: string; output: string; width: number; height: number; interpolation: 'INTER_LINEAR' }
  | { op: 'gaussianBlur'; input: string; output: string; ksize: number; sigma: number; border: 'BORDER_REFLECT_101' };

/** The OpenCV reference outputs (cv2.resize / cv2.GaussianBlur) and what made each. */
export async function readOpencvManifest(): Promise<OpencvReference[]> {
  const json = JSON.parse(await readFile(fixturePath('opencv', 'manifest.json'), 'utf8')) as {
    entries: OpencvReference[];
  };
  return json.entries;
}
