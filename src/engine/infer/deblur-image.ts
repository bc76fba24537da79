import { assertRawImage, type RawImage } from '../image/raw-image';
import { BandAccumulator } from './band-accumulator';
import { axisWeights, axisWeightSums } from './feather';
import { readTile } from './tile-pixels';
import { planGrid, tileAt, type TileGrid } from './tiling';

/**
 * Tiled inference with feathered overlaps: memory stays bounded (one tile of tensors, one band of
 * float accumulators) whatever the image size, and overlapping tiles blend without seams.
 */

/** Runs the model on one tile: RGB floats in [0, 1], HWC, width × height → the same layout back. */
export type TilePredictor = (input: Float32Array, width: number, height: number) => Promise<Float32Array>;

/** What the tiler needs to know about a model's accepted input sizes. */
export interface TileShape {
  /** fixed-size models: the only size they take (width × height) */
  fixed?: { width: number; height: number };
  /** fully convolutional models: sides must be multiples of this */
  multipleOf?: number;
}

export const DEFAULT_TILE = 512;
export const DEFAULT_OVERLAP = 32;

export interface DeblurImageOptions {
  /** tile side for fully convolutional models (rounded down to the stride multiple); default 512 */
  tile?: number;
  overlap?: number;
  /** after each tile; may throw (cancel) or wait (pause) */
  onTile?: (done: number, total: number) => void | Promise<void>;
}

/** The tile grid deblurImage will use for an image of this size. */
export function gridFor(width: number, height: number, shape: TileShape, opts: Pick<DeblurImageOptions, 'tile' | 'overlap'> = {}): TileGrid {
  const overlap = opts.overlap ?? DEFAULT_OVERLAP;
  if (shape.fixed) {
    return planGrid(width, height, { tileWidth: shape.fixed.width, tileHeight: shape.fixed.height, overlap, stride: 1, fixed: true });
  }
  const stride = Math.max(1, shape.multipleOf ?? 1);
  const requested = opts.tile ?? DEFAULT_TILE;
  if (!Number.isInteger(requested) || requested < 1) throw new Error(`tile size must be a positive integer, got ${requested}`);
  // Tiles sit on the stride grid, so their side is a multiple of the stride (at least one stride).
  const tile = Math.max(stride, Math.floor(requested / stride) * stride);
  return planGrid(width, height, { tileWidth: tile, tileHeight: tile, overlap, stride, fixed: false });
}

/** Deblurs an 8-bit RGB image tile by tile; returns a new 8-bit RGB image of the same size. */
export async function deblurTiled(predict: TilePredictor, img: RawImage, shape: TileShape, opts: DeblurImageOptions = {}): Promise<RawImage> {
  assertRawImage(img, 'deblur input');
  if (img.channels !== 3) throw new Error(`deblur input must be RGB (3 channels), got ${img.channels}`);
  const grid = gridFor(img.width, img.height, shape, opts);
  const columnWeights = grid.columns.map((_, i) => axisWeights(grid.columns, i));
  const acc = new BandAccumulator(img.width, img.height, axisWeightSums(grid.columns, img.width), axisWeightSums(grid.rows, img.height));
  let done = 0;
  let input: Float32Array | undefined;
  for (let row = 0; row < grid.rows.length; row++) {
    acc.startRow(grid.rows[row]!);
    const rowWeights = axisWeights(grid.rows, row);
    for (let column = 0; column < grid.columns.length; column++) {
      const tile = tileAt(grid, column, row);
      input = readTile(img, tile, input);
      const pred = await predict(input, tile.paddedWidth, tile.paddedHeight);
      if (pred.length !== tile.paddedWidth * tile.paddedHeight * 3) {
        throw new Error(`the model returned ${pred.length} values for a ${tile.paddedWidth}×${tile.paddedHeight}×3 tile`);
      }
      acc.add(pred, tile.x, tile.width, tile.paddedWidth, tile.y, tile.height, columnWeights[column]!, rowWeights);
      done++;
      await opts.onTile?.(done, grid.count);
    }
  }
  return acc.finish();
}
