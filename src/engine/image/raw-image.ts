/**
 * An 8-bit image in memory, pixels interleaved row by row (HWC), as sharp's `.raw()` gives them.
 * Every pixel-level module (resize, blur, metrics, tiling) speaks this one type.
 */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

export function createRawImage(width: number, height: number, channels: RawImage['channels'] = 3): RawImage {
  return { data: new Uint8Array(width * height * channels), width, height, channels };
}

/** Throws a specific error when `data` does not hold width × height × channels bytes. */
export function assertRawImage(img: RawImage, what = 'image'): void {
  const expected = img.width * img.height * img.channels;
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1) {
    throw new Error(`${what}: invalid size ${img.width}×${img.height}`);
  }
  if (img.data.length !== expected) {
    throw new Error(`${what}: ${img.data.length} bytes for ${img.width}×${img.height}×${img.channels} (expected ${expected})`);
  }
}
