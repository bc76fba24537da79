import protobuf from 'protobufjs';
import { ONNX_SCHEMA } from './onnx-schema';

/**
 * ONNX's ModelProto, encoded and decoded by protobufjs against ONNX's own schema (onnx.proto, vendored
 * and compiled to onnx-schema.ts): no hand-written wire format. Field names are ONNX's (snake_case).
 */

/** Opset 17: ONNX 1.12's newest, which its checker knows and every ONNX Runtime since 1.12 runs. */
export const ONNX_OPSET = 17;
/** IR version 8 goes with opset 17 (ONNX 1.12). */
export const ONNX_IR_VERSION = 8;

/** TensorProto.DataType values the exporter writes. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;

/** AttributeProto.AttributeType values the exporter writes. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

let root: protobuf.Root | null = null;
function modelType(): protobuf.Type {
  root ??= protobuf.Root.fromJSON(ONNX_SCHEMA);
  return root.lookupType('onnx.ModelProto');
}

/** Plain-object ONNX messages, as the exporter builds them (the subset of fields it uses). */
export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  ints?: number[];
}
export interface OnnxNode {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}
export interface OnnxTensor {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}
export type OnnxDim = { dim_value: number } | { dim_param: string };
export interface OnnxValueInfo {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: OnnxDim[] } } };
}
export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  doc_string?: string;
}
export interface OnnxModel {
  ir_version: number;
  opset_import: Array<{ domain: string; version: number }>;
  producer_name: string;
  producer_version: string;
  model_version?: number;
  doc_string?: string;
  graph: OnnxGraph;
  metadata_props: Array<{ key: string; value: string }>;
}

/** Encodes a model; protobufjs checks every field against the schema first and names a bad one. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const type = modelType();
  const problem = type.verify(model);
  if (problem) throw new Error(`ONNX export built an invalid ModelProto: ${problem}`);
  return type.encode(type.fromObject(model)).finish();
}

/** Decodes an ONNX file's bytes (tests, and reading a cached conversion's metadata). */
export function decodeOnnxModel(bytes: Uint8Array): OnnxModel {
  const type = modelType();
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Uint8Array as unknown as typeof String, defaults: false, arrays: true }) as OnnxModel;
}

/** UTF-8 bytes for a STRING attribute (proto `bytes`; protobufjs would read a JS string as base64). */
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
