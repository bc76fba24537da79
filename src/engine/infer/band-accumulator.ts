import { createRawImage, type RawImage } from '../image/raw-image';
import type { AxisSpan } from './tiling';

/**
 * Sums weighted tile outputs for one row of tiles at a time and writes finished image rows to the
 * 8-bit output as soon as no later tile row can touch them. Memory: one band of floats
 * (width × (tile height + stride) × 3), whatever the image height.
 */
export class BandAccumulator {
  readonly output: RawImage;
  private band = new Float32Array(0);
  private bandStart = 0;
  private bandRows = 0;
  private finishedRows = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly columnSums: Float32Array,
    private readonly rowSums: Float32Array,
  ) {
    this.output = createRawImage(width, height, 3);
  }

  /** Starts the band of a tile row; rows above its start are final and written out first. */
  startRow(span: AxisSpan): void {
    this.flushBefore(span.start);
    const end = span.start + span.length;
    const rows = end - span.start;
    const next = new Float32Array(this.width * rows * 3);
    // Carry over rows that the previous tile row and this one share.
    const carryFrom = span.start - this.bandStart;
    const carryRows = Math.max(0, Math.min(this.bandRows - carryFrom, rows));
    if (carryRows > 0) next.set(this.band.subarray(carryFrom * this.width * 3, (carryFrom + carryRows) * this.width * 3));
    this.band = next;
    this.bandStart = span.start;
    this.bandRows = rows;
  }

  /**
   * Adds a tile's model output (paddedWidth × paddedHeight × 3, HWC), weighted by the tile's
   * column and row weights; only its real (unpadded) pixels are used.
   */
  add(pred: Float32Array, x: number, width: number, paddedWidth: number, y: number, height: number, wx: Float32Array, wy: Float32Array): void {
    const rowOffset = y - this.bandStart;
    if (rowOffset < 0 || rowOffset + height > this.bandRows) throw new Error('band accumulator: tile outside the current band');
    for (let j = 0; j < height; j++) {
      const wj = wy[j]!;
      let s = j * paddedWidth * 3;
      let d = ((rowOffset + j) * this.width + x) * 3;
      for (let i = 0; i < width; i++) {
        const w = wx[i]! * wj;
        this.band[d++]! += pred[s++]! * w;
        this.band[d++]! += pred[s++]! * w;
        this.band[d++]! += pred[s++]! * w;
      }
    }
  }

  /** Writes every remaining row; returns the finished 8-bit image. */
  finish(): RawImage {
    this.flushBefore(this.height);
    return this.output;
  }

  /** Normalises, scales to 8 bits (rounding, clamping) and stores the rows before `row`. */
  private flushBefore(row: number): void {
    const end = Math.min(row, this.bandStart + this.bandRows, this.height);
    const out = this.output.data;
    for (let y = this.finishedRows; y < end; y++) {
      const local = y - this.bandStart;
      const ry = this.rowSums[y]!;
      let s = local * this.width * 3;
      let d = y * this.width * 3;
      for (let x = 0; x < this.width; x++) {
        const scale = 255 / (this.columnSums[x]! * ry);
        for (let c = 0; c < 3; c++) {
          const v = Math.round(this.band[s++]! * scale);
          out[d++] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
    this.finishedRows = Math.max(this.finishedRows, end);
  }
}
