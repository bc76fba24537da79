import type * as tf from '../../runtime/tf';
import { appVersion } from '../../../shared/app-version';
import { OnnxExportError } from './errors';
import { GraphBuilder, type Value } from './graph-builder';
import { LAYER_CONVERTERS, type LayerWeight } from './layer-converters';
import { DataType, encodeOnnxModel, ONNX_IR_VERSION, ONNX_OPSET, type OnnxDim, type OnnxModel, type OnnxValueInfo } from './onnx-proto';

/**
 * TF.js layers model → ONNX. The graph is built from the model's Keras config (model.toJSON: layers,
 * their configs and inbound nodes), the weights from its tensors. Inside, feature maps are NCHW; the
 * ONNX model's input and output stay NHWC float32 like the TF.js model's (a Transpose at each edge), so
 * a caller feeds the same HWC tiles to either runtime. Height and width stay symbolic for fully
 * convolutional models.
 */

export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'output';
/** Stored in metadata_props: the graph's I/O layout, for whoever reads the file. */
export const ONNX_LAYOUT_NOTE = 'input and output NHWC float32 (batch, height, width, channels), as the TF.js model';

interface KerasLayer {
  class_name: string;
  name?: string;
  config: Record<string, unknown> & { name?: string };
  inbound_nodes?: unknown[];
}

interface KerasModelConfig {
  name?: string;
  layers: KerasLayer[];
  input_layers: Array<[string, number, number]>;
  output_layers: Array<[string, number, number]>;
}

export interface OnnxExportOptions {
  /** extra key/value pairs for the file's metadata_props (source folder, weights hash …) */
  metadata?: Record<string, string>;
}

export interface OnnxExport {
  bytes: Uint8Array;
  opset: number;
  nodes: number;
  /** ONNX operator types used, sorted */
  ops: string[];
}

export function layersModelToOnnx(model: tf.LayersModel, opts: OnnxExportOptions = {}): OnnxExport {
  const config = topologyOf(model);
  const g = new GraphBuilder();
  const inputName = g.reserve(ONNX_INPUT);
  const outputName = g.reserve(ONNX_OUTPUT);
  if (config.input_layers.length !== 1 || config.output_layers.length !== 1) {
    throw new OnnxExportError(`ONNX export: model ${model.name} has ${config.input_layers.length} inputs and ${config.output_layers.length} outputs; an image model has one of each`);
  }
  const layersByName = new Map(model.layers.map((l) => [l.name, l]));
  const values = new Map<string, Value>();
  let inputInfo: OnnxValueInfo | null = null;

  for (const spec of config.layers) {
    const name = spec.name ?? spec.config.name ?? '?';
    if (spec.class_name === 'InputLayer') {
      const shape = (spec.config.batch_input_shape ?? spec.config.batchInputShape) as Array<number | null> | undefined;
      if (!shape) throw new OnnxExportError(`ONNX export: input layer ${name} has no batch_input_shape`, 'InputLayer');
      if (name !== config.input_layers[0]![0]) throw new OnnxExportError(`ONNX export: model ${model.name} has a second input layer ${name}`, 'InputLayer');
      inputInfo = valueInfo(inputName, shape, ['batch', 'height', 'width', 'channels']);
      values.set(name, { name: inputName, rank: shape.length, layout: 'tf' });
      continue;
    }
    const convert = LAYER_CONVERTERS.get(spec.class_name);
    if (!convert) {
      throw new OnnxExportError(
        `ONNX export: layer ${name} is a ${spec.class_name}, which the exporter does not map to ONNX (mapped: ${[...LAYER_CONVERTERS.keys()].join(', ')})`,
        spec.class_name,
      );
    }
    const layer = layersByName.get(name);
    if (!layer) throw new OnnxExportError(`ONNX export: layer ${name} (${spec.class_name}) is in the config but not in the model`, spec.class_name);
    const inputs = inboundOf(spec, name).map((src) => {
      const v = values.get(src);
      if (!v) throw new OnnxExportError(`ONNX export: layer ${name} (${spec.class_name}) reads ${src}, which comes later or does not exist`, spec.class_name);
      return v;
    });
    values.set(name, convert(g, { className: spec.class_name, name, config: spec.config, weights: weightsOf(layer), inputs }));
  }

  const outLayer = config.output_layers[0]![0];
  const last = values.get(outLayer);
  if (!last || !inputInfo) throw new OnnxExportError(`ONNX export: model ${model.name}'s output ${outLayer} was never computed`);
  const out = g.toTf(last);
  g.node('Identity', [out.name], {}, 'output', outputName);
  const outShape = model.outputs[0]!.shape;
  const graph = {
    name: model.name,
    node: g.nodes,
    initializer: g.initializers,
    input: [inputInfo],
    output: [valueInfo(outputName, outShape, ['batch', 'out_height', 'out_width', 'out_channels'])],
    doc_string: `Exported from the TF.js layers model ${model.name}; ${ONNX_LAYOUT_NOTE}.`,
  };
  const onnx: OnnxModel = {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'deblur-studio',
    producer_version: appVersion,
    graph,
    metadata_props: Object.entries({ layout: ONNX_LAYOUT_NOTE, ...(opts.metadata ?? {}) }).map(([key, value]) => ({ key, value })),
  };
  return { bytes: encodeOnnxModel(onnx), opset: ONNX_OPSET, nodes: g.nodes.length, ops: [...new Set(g.nodes.map((n) => n.op_type))].sort() };
}

function topologyOf(model: tf.LayersModel): KerasModelConfig {
  const json = model.toJSON(null, false) as unknown as { class_name?: string; config?: KerasModelConfig };
  const config = json.config;
  if (!config || !Array.isArray(config.layers) || !Array.isArray(config.input_layers)) {
    throw new OnnxExportError(`ONNX export: model ${model.name} is a ${json.class_name ?? 'model'} without a functional graph (layers, input_layers)`);
  }
  return config;
}

/** The layers a layer reads (its one call; a layer applied twice is a shared layer, not exported). */
function inboundOf(spec: KerasLayer, name: string): string[] {
  const nodes = (spec.inbound_nodes ?? []) as Array<Array<[string, number, number, unknown]>>;
  if (nodes.length !== 1) {
    throw new OnnxExportError(`ONNX export: layer ${name} (${spec.class_name}) is called ${nodes.length} times; shared layers are not exported`, spec.class_name);
  }
  return nodes[0]!.map(([src, nodeIndex, tensorIndex]) => {
    if (nodeIndex !== 0 || tensorIndex !== 0) {
      throw new OnnxExportError(`ONNX export: layer ${name} (${spec.class_name}) reads output ${tensorIndex} of call ${nodeIndex} of ${src}; only single-output layers are exported`, spec.class_name);
    }
    return src;
  });
}

/** A layer's weights by short name ("head/kernel_3" → "kernel"), values read from its tensors. */
function weightsOf(layer: tf.layers.Layer): Map<string, LayerWeight> {
  const out = new Map<string, LayerWeight>();
  for (const w of layer.weights) {
    const short = (w.originalName.split('/').pop() ?? w.originalName).replace(/_\d+$/, '');
    const t = w.read();
    if (t.dtype !== 'float32') throw new OnnxExportError(`ONNX export: weight ${w.originalName} of layer ${layer.name} is ${t.dtype}, not float32`, layer.getClassName());
    out.set(short, { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) });
  }
  return out;
}

function valueInfo(name: string, shape: ReadonlyArray<number | null>, symbols: string[]): OnnxValueInfo {
  const dim: OnnxDim[] = shape.map((d, i) => (typeof d === 'number' && d > 0 ? { dim_value: d } : { dim_param: symbols[i] ?? `d${i}` }));
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim } } } };
}
