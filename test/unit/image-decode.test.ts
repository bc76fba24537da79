import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { classifySharpError, DecodeError, decodeToRgb, encodePng, fileEndMarkerMissing, looksTruncated } from '../../src/engine/image/decode';
import { createRawImage } from '../../src/engine/image/raw-image';

async function reasonOf(input: Uint8Array | string, limitInputPixels?: number): Promise<string> {
  try {
    await decodeToRgb(input, { limitInputPixels });
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return (err as DecodeError).reason;
  }
}

describe('decodeToRgb / encodePng', () => {
  it('round-trips 8-bit RGB through PNG losslessly', async () => {
    const img = createRawImage(37, 23, 3);
    for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 97) & 0xff;
    const back = await decodeToRgb(await encodePng(img));
    expect([back.width, back.height, back.channels]).toEqual([37, 23, 3]);
    expect(Buffer.from(back.data).equals(Buffer.from(img.data))).toBe(true);
  });

  it('gives a specific reason for each kind of bad input', async () => {
    const png = await encodePng(createRawImage(40, 30, 3));
    expect(await reasonOf(new Uint8Array(0))).toBe('empty');
    expect(await reasonOf(new TextEncoder().encode('plain text, not an image'))).toBe('not-an-image');
    expect(await reasonOf(png.subarray(0, png.length - 20))).toBe('truncated');
    expect(await reasonOf(png, 1000)).toBe('too-large');
    expect(await reasonOf('/nonexistent/dir/file.png')).toBe('unreadable');
    expect(await reasonOf(png)).toBe('ok');
  });

  it('spots missing end markers of PNG and JPEG cheaply, tolerating trailing bytes', async () => {
    const png = await encodePng(createRawImage(8, 8, 3));
    const jpeg = await sharp(Buffer.alloc(8 * 8 * 3, 128), { raw: { width: 8, height: 8, channels: 3 } }).jpeg().toBuffer();
    expect(looksTruncated(png)).toBe(false);
    expect(looksTruncated(png.subarray(0, png.length - 4))).toBe(true);
    expect(looksTruncated(jpeg)).toBe(false);
    expect(looksTruncated(Buffer.concat([jpeg, Buffer.from('trailer')]))).toBe(false);
    expect(looksTruncated(jpeg.subarray(0, jpeg.length - 2))).toBe(true);
    expect(looksTruncated(new TextEncoder().encode('GIF89a…'))).toBe(false); // unknown format: no opinion
  });
});

describe('classifySharpError', () => {
  // libvips reads its messages from an error log shared between calls: the same JPEG, cut inside its Huffman tables,
  // failed as "premature end of JPEG image" in most scans and with only "Bogus Huffman table definition" in one
  // (a CI run's data-scan test); the missing end marker decides, whatever the message.
  const cut = new Error('Input file has corrupt header: VipsJpeg: Bogus Huffman table definition');
  it('calls a file whose end marker is missing truncated whatever libvips says, and reads the message otherwise', () => {
    expect(classifySharpError(cut, true).reason).toBe('truncated');
    // another file's error in the shared log (a text file scanned at the same time) does not make a cut JPEG "not an image"
    expect(classifySharpError(new Error('Input file contains unsupported image format\nVipsJpeg: Bogus Huffman table definition'), true).reason).toBe('truncated');
    expect(classifySharpError(cut, false).reason).toBe('corrupt');
    expect(classifySharpError(new Error('VipsJpeg: premature end of JPEG image'), false).reason).toBe('truncated');
    expect(classifySharpError(new Error('Input file contains unsupported image format'), false).reason).toBe('not-an-image');
  });

  it('finds the end marker of a file on disk from its two ends', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'end-marker-'));
    try {
      const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 10, g: 200, b: 30 } } }).jpeg().toBuffer();
      await writeFile(path.join(dir, 'whole.jpg'), jpeg);
      await writeFile(path.join(dir, 'cut.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
      expect(await fileEndMarkerMissing(path.join(dir, 'whole.jpg'))).toBe(false);
      expect(await fileEndMarkerMissing(path.join(dir, 'cut.jpg'))).toBe(true);
      expect(await fileEndMarkerMissing(path.join(dir, 'absent.jpg'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
