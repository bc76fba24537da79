import { assertRawImage, type RawImage } from '../image/raw-image';

/** Metrics compare pixel by pixel, so both images must have the same size and channel count. */
export function assertSameShape(a: RawImage, b: RawImage, metric: string): void {
  assertRawImage(a, `${metric}: first image`);
  assertRawImage(b, `${metric}: second image`);
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error(
      `${metric}: images differ in shape: ${a.width}×${a.height}×${a.channels} vs ${b.width}×${b.height}×${b.channels}`,
    );
  }
}

export function assertDataRange(dataRange: number, metric: string): void {
  if (!Number.isFinite(dataRange) || dataRange <= 0) {
    throw new Error(`${metric}: dataRange must be a positive number, got ${dataRange}`);
  }
}
