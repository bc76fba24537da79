/**
 * Where the tiles of a tiled inference go. The grid is the product of two axis plans, so the
 * blending weights (and their normaliser) are separable too.
 *
 * Fully convolutional models: tiles start on multiples of the model's stride, so every tile sees the
 * same downsampling grid as a whole-image pass (what makes tiled ≈ whole); only the last tile of an
 * axis ends at the image edge and is padded (by reflection, see tile-pixels.ts) to the stride multiple,
 * exactly as a whole-image pass would be. Fixed-size models: every tile is the model's size.
 */

/** One tile along one axis: `length` real pixels from `start`, fed to the model as `padded` pixels. */
export interface AxisSpan {
  start: number;
  length: number;
  padded: number;
}

export interface Tile {
  x: number;
  y: number;
  width: number;
  height: number;
  /** the model's input size for this tile (≥ width/height; the excess is reflected image) */
  paddedWidth: number;
  paddedHeight: number;
  column: number;
  row: number;
}

export interface AxisOptions {
  /** tile side for this axis (a model's fixed size, or the requested tile rounded to the stride) */
  tile: number;
  overlap: number;
  /** positions and padded sizes are multiples of this (1 for fixed-size models) */
  stride: number;
  /** true: every tile is padded to exactly `tile` (fixed-size models) */
  fixed: boolean;
}

/**
 * Evenly spaced spans covering [0, size): as few tiles as the overlap allows, the spare room spread
 * over all overlaps (larger overlaps only blend more smoothly).
 */
export function planAxis(size: number, o: AxisOptions): AxisSpan[] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`tiling: invalid image side ${size}`);
  const { tile, stride } = o;
  if (tile < 1 || tile % stride !== 0) throw new Error(`tiling: tile ${tile} is not a positive multiple of the stride ${stride}`);
  const paddedOf = (length: number) => (o.fixed ? tile : Math.ceil(length / stride) * stride);
  if (size <= tile) return [{ start: 0, length: size, padded: paddedOf(size) }];

  const overlap = Math.min(Math.max(0, o.overlap), Math.floor(tile / 2));
  const step = Math.max(stride, Math.floor((tile - overlap) / stride) * stride);
  const count = Math.ceil((Math.floor((size - tile) / stride) * stride) / step) + 1;
  // With the count fixed, a fully convolutional model's tiles shrink to what covers the side with the
  // overlap (plus a stride for the grid rounding): less work than full tiles overlapping more.
  const length = o.fixed ? tile : Math.min(tile, Math.ceil((size + (count - 1) * overlap) / count / stride) * stride + stride);
  // The last tile starts on the stride grid at or before size − length and runs to the image edge
  // (at most stride − 1 pixels longer than the others; fixed-size models have stride 1, so exactly a tile).
  const last = Math.floor((size - length) / stride) * stride;
  const spans: AxisSpan[] = [];
  for (let i = 0; i < count; i++) {
    const start = i === count - 1 ? last : Math.floor((i * last) / (count - 1) / stride) * stride;
    const len = i === count - 1 ? size - start : length;
    spans.push({ start, length: len, padded: paddedOf(len) });
  }
  return spans;
}

export interface GridOptions {
  /** tile width and height (already fitting the model) */
  tileWidth: number;
  tileHeight: number;
  overlap: number;
  stride: number;
  fixed: boolean;
}

export interface TileGrid {
  columns: AxisSpan[];
  rows: AxisSpan[];
  count: number;
}

export function planGrid(width: number, height: number, o: GridOptions): TileGrid {
  const columns = planAxis(width, { tile: o.tileWidth, overlap: o.overlap, stride: o.stride, fixed: o.fixed });
  const rows = planAxis(height, { tile: o.tileHeight, overlap: o.overlap, stride: o.stride, fixed: o.fixed });
  return { columns, rows, count: columns.length * rows.length };
}

export function tileAt(grid: TileGrid, column: number, row: number): Tile {
  const c = grid.columns[column];
  const r = grid.rows[row];
  if (!c || !r) throw new Error(`tiling: no tile at column ${column}, row ${row}`);
  return { x: c.start, y: r.start, width: c.length, height: r.length, paddedWidth: c.padded, paddedHeight: r.padded, column, row };
}
