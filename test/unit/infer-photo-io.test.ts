import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/engine/image/decode';
import { decodePhoto, encodePhoto, outputKindFor } from '../../src/engine/infer/photo-io';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'deblur-photo-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const W = 6;
const H = 4;
/** RGBA test pixels: colour from position, alpha a ramp. */
function rgbaPixels(): Buffer {
  const b = Buffer.alloc(W * H * 4);
  for (let p = 0; p < W * H; p++) b.set([p * 9, 200 - p * 5, (p * 31) % 256, 255 - p * 10], p * 4);
  return b;
}

async function save(name: string, img: Sharp): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, await img.toBuffer());
  return file;
}

describe('decodePhoto', () => {
  it('applies the EXIF orientation', async () => {
    const file = await save('rot6.jpg', sharp(rgbaPixels(), { raw: { width: W, height: H, channels: 4 } }).removeAlpha().jpeg().withMetadata({ orientation: 6 }));
    const photo = await decodePhoto(file);
    expect([photo.rgb.width, photo.rgb.height]).toEqual([H, W]);
    expect(photo.format).toBe('jpeg');
  });

  it('keeps alpha aside, and encodePhoto puts it back unchanged in PNG, WebP and TIFF', async () => {
    const file = await save('alpha.png', sharp(rgbaPixels(), { raw: { width: W, height: H, channels: 4 } }).png());
    const photo = await decodePhoto(file);
    expect(photo.alpha).not.toBeNull();
    expect([...photo.alpha!]).toEqual(Array.from({ length: W * H }, (_, p) => 255 - p * 10));
    for (const kind of ['png', 'webp', 'tiff'] as const) {
      const bytes = await encodePhoto(photo.rgb, photo.alpha, kind, false);
      const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      expect(info.channels).toBe(4);
      const alpha = Array.from({ length: W * H }, (_, p) => data[p * 4 + 3]);
      expect(alpha).toEqual([...photo.alpha!]);
    }
  });

  it('composites alpha over white for JPEG output', async () => {
    const rgb = { data: new Uint8Array(W * H * 3), width: W, height: H, channels: 3 as const };
    const alpha = new Uint8Array(W * H); // fully transparent black
    const bytes = await encodePhoto(rgb, alpha, 'jpeg', false);
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    expect(Math.min(...data)).toBeGreaterThan(245);
  });

  it('converts grey, 16-bit and CMYK inputs to 8-bit RGB', async () => {
    const grey = await save('grey.png', sharp(rgbaPixels(), { raw: { width: W, height: H, channels: 4 } }).removeAlpha().greyscale().png());
    const g = await decodePhoto(grey);
    expect(g.rgb.channels).toBe(3);
    expect(g.rgb.data[0]).toBe(g.rgb.data[1]);
    const deep = await save('deep.png', sharp(rgbaPixels(), { raw: { width: W, height: H, channels: 4 } }).removeAlpha().toColourspace('rgb16').png());
    expect((await sharp(deep).metadata()).depth).toBe('ushort');
    const d = await decodePhoto(deep);
    expect(Math.abs(d.rgb.data[3]! - 9)).toBeLessThanOrEqual(1);
    const cmyk = await save('cmyk.jpg', sharp(rgbaPixels(), { raw: { width: W, height: H, channels: 4 } }).removeAlpha().toColourspace('cmyk').jpeg({ quality: 100 }));
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const c = await decodePhoto(cmyk);
    expect(c.rgb.channels).toBe(3);
    expect(c.alpha).toBeNull();
  });

  it('tags the output sRGB when the input had an ICC profile', async () => {
    const rgb = { data: new Uint8Array(W * H * 3).fill(120), width: W, height: H, channels: 3 as const };
    expect((await sharp(await encodePhoto(rgb, null, 'png', true)).metadata()).icc).toBeDefined();
    expect((await sharp(await encodePhoto(rgb, null, 'png', false)).metadata()).icc).toBeUndefined();
  });

  it('fails with a reason for files that are not images', async () => {
    const empty = path.join(dir, 'empty.jpg');
    await writeFile(empty, '');
    await expect(decodePhoto(empty)).rejects.toMatchObject({ reason: 'empty' });
    const text = path.join(dir, 'text.png');
    await writeFile(text, 'hello, I am not a PNG');
    await expect(decodePhoto(text)).rejects.toBeInstanceOf(DecodeError);
    await expect(decodePhoto(text)).rejects.toMatchObject({ reason: 'not-an-image' });
  });
});

describe('outputKindFor', () => {
  it('keeps JPEG, PNG, WebP and TIFF, and writes PNG for the rest', () => {
    expect(outputKindFor('jpeg', 'same')).toBe('jpeg');
    expect(outputKindFor('tiff', 'same')).toBe('tiff');
    expect(outputKindFor('gif', 'same')).toBe('png');
    expect(outputKindFor('heif', 'same')).toBe('png');
    expect(outputKindFor('png', 'jpeg')).toBe('jpeg');
    expect(outputKindFor('jpeg', 'png')).toBe('png');
  });
});
