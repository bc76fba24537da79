import { AttributeType, DataType, utf8, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './onnx-proto';

/**
 * Where a value's dimensions sit. `tf`: TF.js's own order (NHWC for images, as the layer config
 * describes it). `nchw`: an image tensor in ONNX's NCHW, what Conv and friends take. The converter
 * keeps feature maps in NCHW and transposes only where a layer needs TF.js's order (Flatten, Reshape,
 * Dense …) and at the graph's edges.
 */
export type Layout = 'tf' | 'nchw';

export interface Value {
  name: string;
  /** rank of the tensor (with the batch dimension) */
  rank: number;
  layout: Layout;
}

export type AttrValue = number | number[] | string | { float: number };

/** NHWC → NCHW and back. */
export const TO_NCHW = [0, 3, 1, 2] as const;
export const TO_NHWC = [0, 2, 3, 1] as const;

/** Accumulates ONNX nodes and initializers with unique names. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();
  /** value name → its transposed twin, so a value is transposed once however many layers read it */
  private readonly transposed = new Map<string, Value>();

  /** A fresh name based on `base` (ONNX names must be unique in the graph). */
  unique(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'v';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Reserves a name that must stay as it is (graph inputs and outputs). */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX export: the name ${name} is used twice`);
    this.used.add(name);
    return name;
  }

  /** Adds one node and returns its (single) output name. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, base = opType, output?: string): string {
    const out = output ?? this.unique(base);
    this.nodes.push({ name: this.unique(`${base}/${opType}`), op_type: opType, input: inputs, output: [out], attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return out;
  }

  floatTensor(base: string, dims: number[], data: Float32Array): string {
    const expected = dims.reduce((a, d) => a * d, 1);
    if (data.length !== expected) throw new Error(`ONNX export: ${base} has ${data.length} values for dims [${dims.join(', ')}]`);
    return this.tensor(base, dims, DataType.FLOAT, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  int64Tensor(base: string, values: number[]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    return this.tensor(base, [values.length], DataType.INT64, new Uint8Array(data.buffer));
  }

  /** raw_data is little-endian by ONNX's definition; typed arrays are too on every platform Node runs on. */
  private tensor(base: string, dims: number[], dataType: number, bytes: Uint8Array): string {
    const name = this.unique(base);
    this.initializers.push({ name, dims, data_type: dataType, raw_data: Uint8Array.from(bytes) });
    return name;
  }

  /** The value in NCHW (4-D values only; others have no NCHW form). */
  toNchw(v: Value): Value {
    if (v.layout === 'nchw') return v;
    if (v.rank !== 4) throw new Error(`ONNX export: ${v.name} has rank ${v.rank}; only 4-D image tensors have an NCHW form`);
    return this.transpose(v, TO_NCHW, 'nchw');
  }

  /** The value in TF.js's dimension order. */
  toTf(v: Value): Value {
    return v.layout === 'tf' ? v : this.transpose(v, TO_NHWC, 'tf');
  }

  private transpose(v: Value, perm: readonly number[], layout: Layout): Value {
    const known = this.transposed.get(v.name);
    if (known) return known;
    const out: Value = { name: this.node('Transpose', [v.name], { perm: [...perm] }, `${v.name}_${layout}`), rank: v.rank, layout };
    this.transposed.set(v.name, out);
    this.transposed.set(out.name, v);
    return out;
  }
}

function attribute(name: string, v: AttrValue): OnnxAttribute {
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: utf8(v) };
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if (typeof v === 'object') return { name, type: AttributeType.FLOAT, f: v.float };
  if (!Number.isInteger(v)) throw new Error(`ONNX export: attribute ${name}=${v} must be an integer (wrap floats as { float })`);
  return { name, type: AttributeType.INT, i: v };
}
