import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** The vendored onnx.proto, beside this file in the sources (not in built bundles: they use onnx-schema.ts). */
export const VENDORED_ONNX_PROTO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'onnx.proto');

/** protobufjs's JSON descriptor of the vendored schema, field names as ONNX spells them (snake_case). */
export function parseVendoredOnnxProto(file = VENDORED_ONNX_PROTO): protobuf.INamespace {
  const { root } = protobuf.parse(readFileSync(file, 'utf8'), { keepCase: true });
  return root.toJSON();
}
