import { assertRawImage, createRawImage, type RawImage } from './raw-image';

/**
 * Bilinear resize that reproduces `cv2.resize(img, (w, h))` (INTER_LINEAR) on 8-bit images.
 *
 * Implemented on raw pixels on purpose: sharp/libvips use other sampling conventions, and the
 * course's data set is defined by OpenCV's. What this copies from OpenCV's resize.cpp:
 *  - pixel-centre mapping src = (dst + 0.5) · scale − 0.5 computed in double, stored as float32;
 *    left/top neighbours below 0 and right/bottom neighbours past the edge are clamped;
 *  - weights rounded to 11-bit fixed point (INTER_RESIZE_COEF_BITS) with round-half-even;
 *  - horizontal pass exact in int32 (pixel · weight);
 *  - vertical pass as OpenCV's SIMD kernel (VResizeLinearVec_32s8u) computes it: each row sum is
 *    shifted right by 4, multiplied by the 16-bit weight keeping the high 16 bits, the two terms
 *    added, then rounded with (+2) >> 2. This truncates differently from the plain formula
 *    (sum + 2^21) >> 22 (±1). Checked against cv2 4.6 (x86-64): every element, including row ends
 *    that are not a multiple of the vector width, follows the vector formula; the result is
 *    bit-exact for downscaling, upscaling and tiny sizes.
 */
const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS;

interface AxisTable {
  /** first source index of the pair (already clamped) */
  index0: Int32Array;
  /** second source index (equals index0 where the pair was clamped) */
  index1: Int32Array;
  weight0: Int32Array;
  weight1: Int32Array;
}

/** float32 round-half-even, as cvRound/saturate_cast<short>(float) do. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * One axis of OpenCV's coefficient tables. `clampWeights`: the x axis moves an out-of-range position
 * onto the edge pixel with weight 1; the y axis keeps its weights and only clamps the row indices.
 */
function axisTable(srcSize: number, dstSize: number, clampWeights: boolean): AxisTable {
  const invScale = dstSize / srcSize;
  const scale = 1 / invScale;
  const table: AxisTable = {
    index0: new Int32Array(dstSize),
    index1: new Int32Array(dstSize),
    weight0: new Int32Array(dstSize),
    weight1: new Int32Array(dstSize),
  };
  for (let d = 0; d < dstSize; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    let s1 = s + 1;
    if (clampWeights) {
      if (s < 0) {
        f = 0;
        s = 0;
        s1 = 0;
      }
      if (s >= srcSize - 1) {
        f = 0;
        s = srcSize - 1;
        s1 = s;
      }
    } else {
      s1 = Math.min(Math.max(s1, 0), srcSize - 1);
      s = Math.min(Math.max(s, 0), srcSize - 1);
    }
    table.index0[d] = s;
    table.index1[d] = s1;
    table.weight0[d] = roundHalfEven(Math.fround(1 - f) * COEF_SCALE);
    table.weight1[d] = roundHalfEven(f * COEF_SCALE);
  }
  return table;
}

/** The x table expanded to one entry per output sample (pixel × channel), for a flat inner loop. */
interface SampleTable {
  offset0: Int32Array;
  offset1: Int32Array;
  weight0: Int32Array;
  weight1: Int32Array;
}

function sampleTable(x: AxisTable, cn: number): SampleTable {
  const n = x.index0.length * cn;
  const t: SampleTable = { offset0: new Int32Array(n), offset1: new Int32Array(n), weight0: new Int32Array(n), weight1: new Int32Array(n) };
  for (let d = 0, i = 0; d < x.index0.length; d++) {
    for (let c = 0; c < cn; c++, i++) {
      t.offset0[i] = (x.index0[d] as number) * cn + c;
      t.offset1[i] = (x.index1[d] as number) * cn + c;
      t.weight0[i] = x.weight0[d] as number;
      t.weight1[i] = x.weight1[d] as number;
    }
  }
  return t;
}

const tableCache = new Map<string, { x: SampleTable; y: AxisTable }>();

/** Tables depend only on the sizes; a data set has one frame size, so they are computed once. */
function tablesFor(sw: number, sh: number, dw: number, dh: number, cn: number): { x: SampleTable; y: AxisTable } {
  const key = `${sw}x${sh}x${cn}->${dw}x${dh}`;
  let t = tableCache.get(key);
  if (!t) {
    if (tableCache.size > 32) tableCache.clear();
    t = { x: sampleTable(axisTable(sw, dw, true), cn), y: axisTable(sh, dh, false) };
    tableCache.set(key, t);
  }
  return t;
}

/** Horizontal pass of one source row into `out` (int32 sums in 1/2048 units); exact like OpenCV's. */
function resizeRow(src: Uint8Array, rowStart: number, x: SampleTable, out: Int32Array): void {
  const { offset0, offset1, weight0, weight1 } = x;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    out[i] = (src[rowStart + (offset0[i] as number)] as number) * (weight0[i] as number) + (src[rowStart + (offset1[i] as number)] as number) * (weight1[i] as number);
  }
}

/** Resize `img` to `width`×`height` exactly as cv2.resize(..., interpolation=INTER_LINEAR). */
export function resizeLinearOpenCV(img: RawImage, width: number, height: number): RawImage {
  assertRawImage(img, 'resize input');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`resize: invalid target size ${width}×${height}`);
  }
  const cn = img.channels;
  const out = createRawImage(width, height, cn);
  if (width === img.width && height === img.height) {
    out.data.set(img.data); // OpenCV copies when the size is unchanged
    return out;
  }
  const { x, y } = tablesFor(img.width, img.height, width, height, cn);
  const rowLen = width * cn;
  const srcStride = img.width * cn;
  const src = img.data;
  const dst = out.data;

  // Two horizontal rows, kept while consecutive output rows share source rows. (Copying a row
  // instead of swapping the two arrays keeps the bindings constant, which V8 compiles faster.)
  const row0 = new Int32Array(rowLen);
  const row1 = new Int32Array(rowLen);
  let row0Index = -1;
  let row1Index = -1;

  for (let dy = 0; dy < height; dy++) {
    const sy0 = y.index0[dy] as number;
    const sy1 = y.index1[dy] as number;
    if (row0Index !== sy0) {
      if (row1Index === sy0) row0.set(row1);
      else resizeRow(src, sy0 * srcStride, x, row0);
      row0Index = sy0;
    }
    if (row1Index !== sy1) {
      if (sy1 === row0Index) row1.set(row0);
      else resizeRow(src, sy1 * srcStride, x, row1);
      row1Index = sy1;
    }
    const b0 = y.weight0[dy] as number;
    const b1 = y.weight1[dy] as number;
    const base = dy * rowLen;
    for (let i = 0; i < rowLen; i++) {
      // (s >> 4) fits int16; mul_hi keeps bits 16..31 of the 32-bit product (arithmetic shift).
      const v = (((((row0[i] as number) >> 4) * b0) >> 16) + ((((row1[i] as number) >> 4) * b1) >> 16) + 2) >> 2;
      dst[base + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}
