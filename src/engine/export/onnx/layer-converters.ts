import { OnnxExportError } from './errors';
import { GraphBuilder, type AttrValue, type Value } from './graph-builder';
import { permute } from './tensor-layout';

/**
 * One function per Keras layer class the exporter maps to ONNX operators. Feature maps stay NCHW
 * (ONNX's convolution layout); kernels are transposed from Keras's HWIO once, here.
 */

export interface LayerWeight {
  shape: number[];
  data: Float32Array;
}

export interface LayerSpec {
  className: string;
  name: string;
  /** the layer's Keras config (snake_case keys, as model.json stores it) */
  config: Record<string, unknown>;
  /** weights by their short name: kernel, bias, gamma, moving_mean … */
  weights: Map<string, LayerWeight>;
  inputs: Value[];
}

type Converter = (g: GraphBuilder, layer: LayerSpec) => Value;

const pair = (v: unknown, fallback: number): [number, number] => {
  if (Array.isArray(v)) return [Number(v[0] ?? fallback), Number(v[1] ?? v[0] ?? fallback)];
  return v == null ? [fallback, fallback] : [Number(v), Number(v)];
};

function fail(layer: LayerSpec, what: string): never {
  throw new OnnxExportError(`ONNX export: layer ${layer.name} (${layer.className}) ${what}`, layer.className);
}

function weight(layer: LayerSpec, name: string): LayerWeight {
  const w = layer.weights.get(name);
  if (!w) fail(layer, `has no ${name} weight (has: ${[...layer.weights.keys()].join(', ') || 'none'})`);
  return w;
}

function single(layer: LayerSpec): Value {
  if (layer.inputs.length !== 1) fail(layer, `takes one input, got ${layer.inputs.length}`);
  return layer.inputs[0]!;
}

function channelsLast(layer: LayerSpec): void {
  const format = layer.config.data_format;
  if (format != null && format !== 'channels_last') fail(layer, `has data_format ${String(format)}; only channels_last is exported`);
}

function image(g: GraphBuilder, layer: LayerSpec): Value {
  const x = single(layer);
  if (x.rank !== 4) fail(layer, `expects a 4-D image tensor, got rank ${x.rank}`);
  channelsLast(layer);
  return g.toNchw(x);
}

/**
 * Keras "same" pads so that out = ceil(in / stride), the odd pixel at the end: explicit pads when the
 * stride is 1 (the same for every input size), else ONNX's SAME_UPPER, which is that rule.
 */
function spatialPadding(layer: LayerSpec, kernel: [number, number], strides: [number, number], dilations: [number, number]): Record<string, AttrValue> {
  const padding = layer.config.padding ?? 'valid';
  if (padding === 'valid') return {};
  if (padding !== 'same') fail(layer, `has padding "${String(padding)}"; only "same" and "valid" are exported`);
  if (strides[0] !== 1 || strides[1] !== 1) return { auto_pad: 'SAME_UPPER' };
  const total = kernel.map((k, i) => (k - 1) * dilations[i]!);
  const begin = total.map((t) => Math.floor(t / 2));
  return { pads: [begin[0]!, begin[1]!, total[0]! - begin[0]!, total[1]! - begin[1]!] };
}

/** Keras activation names → ONNX nodes (none for linear). */
export function activation(g: GraphBuilder, x: Value, name: unknown, layer: LayerSpec): Value {
  const act = name == null ? 'linear' : String(name);
  const base = `${layer.name}_${act}`;
  const op = (type: string, attrs: Record<string, AttrValue> = {}, input = x.name) => g.node(type, [input], attrs, base);
  const same = (n: string): Value => ({ ...x, name: n });
  switch (act) {
    case 'linear':
      return x;
    case 'relu':
      return same(op('Relu'));
    case 'sigmoid':
      return same(op('Sigmoid'));
    case 'tanh':
      return same(op('Tanh'));
    case 'elu':
      return same(op('Elu', { alpha: { float: 1 } }));
    case 'selu':
      return same(op('Selu')); // ONNX's default alpha and gamma are SELU's constants, as in Keras
    case 'softplus':
      return same(op('Softplus'));
    case 'softsign':
      return same(op('Softsign'));
    case 'hard_sigmoid':
    case 'hardSigmoid':
      return same(op('HardSigmoid', { alpha: { float: 0.2 }, beta: { float: 0.5 } }));
    case 'relu6': {
      const lo = g.floatTensor(`${base}_min`, [], new Float32Array([0]));
      const hi = g.floatTensor(`${base}_max`, [], new Float32Array([6]));
      return same(g.node('Clip', [x.name, lo, hi], {}, base));
    }
    case 'swish':
      return same(g.node('Mul', [x.name, op('Sigmoid')], {}, base));
    case 'softmax': {
      const t = g.toTf(x); // Keras normalises over its last axis, the channels
      return { ...t, name: g.node('Softmax', [t.name], { axis: -1 }, base) };
    }
    default:
      fail(layer, `uses activation "${act}", which the ONNX export does not map`);
  }
}

const conv2d: Converter = (g, layer) => {
  const x = image(g, layer);
  const kernel = weight(layer, 'kernel'); // [kh, kw, in, out]
  const k = pair(layer.config.kernel_size, 1);
  const strides = pair(layer.config.strides, 1);
  const dilations = pair(layer.config.dilation_rate, 1);
  if (kernel.shape.length !== 4) fail(layer, `has a kernel of shape [${kernel.shape.join(', ')}], expected 4-D`);
  const w = permute(kernel.data, kernel.shape, [3, 2, 0, 1]); // → [out, in, kh, kw]
  const inputs = [x.name, g.floatTensor(`${layer.name}/kernel`, w.shape, w.data)];
  if (layer.config.use_bias !== false) inputs.push(bias(g, layer));
  const y = g.node('Conv', inputs, { kernel_shape: k, strides, dilations, ...spatialPadding(layer, k, strides, dilations) }, layer.name);
  return activation(g, { name: y, rank: 4, layout: 'nchw' }, layer.config.activation, layer);
};

/**
 * Conv2DTranspose: Keras crops the full transposed output (in−1)·s + k to in·s ("same") with the
 * smaller half first, or pads it to in·s when the kernel is narrower than the stride; as explicit
 * pads and output_padding, that holds for every input size.
 */
const conv2dTranspose: Converter = (g, layer) => {
  const x = image(g, layer);
  const kernel = weight(layer, 'kernel'); // [kh, kw, out, in]
  const k = pair(layer.config.kernel_size, 1);
  const strides = pair(layer.config.strides, 1);
  const dilations = pair(layer.config.dilation_rate, 1);
  const padding = layer.config.padding ?? 'valid';
  if (padding !== 'same' && padding !== 'valid') fail(layer, `has padding "${String(padding)}"; only "same" and "valid" are exported`);
  const span = k.map((kk, i) => (kk - 1) * dilations[i]! + 1);
  const crop = span.map((s, i) => (padding === 'same' ? Math.max(0, s - strides[i]!) : 0));
  const begin = crop.map((c) => Math.floor(c / 2));
  const outputPadding = span.map((s, i) => Math.max(0, strides[i]! - s));
  const w = permute(kernel.data, kernel.shape, [3, 2, 0, 1]); // → [in, out, kh, kw]
  const inputs = [x.name, g.floatTensor(`${layer.name}/kernel`, w.shape, w.data)];
  if (layer.config.use_bias !== false) inputs.push(bias(g, layer));
  const attrs: Record<string, AttrValue> = { kernel_shape: k, strides, dilations, pads: [begin[0]!, begin[1]!, crop[0]! - begin[0]!, crop[1]! - begin[1]!] };
  if (outputPadding.some((p) => p > 0)) attrs.output_padding = outputPadding;
  const y = g.node('ConvTranspose', inputs, attrs, layer.name);
  return activation(g, { name: y, rank: 4, layout: 'nchw' }, layer.config.activation, layer);
};

function bias(g: GraphBuilder, layer: LayerSpec): string {
  const b = weight(layer, 'bias');
  return g.floatTensor(`${layer.name}/bias`, b.shape, b.data);
}

const dense: Converter = (g, layer) => {
  const x = g.toTf(single(layer));
  const kernel = weight(layer, 'kernel'); // [in, out]
  const k = g.floatTensor(`${layer.name}/kernel`, kernel.shape, kernel.data);
  let y: string;
  if (x.rank === 2) {
    y = g.node('Gemm', layer.config.use_bias !== false ? [x.name, k, bias(g, layer)] : [x.name, k], {}, layer.name);
  } else {
    y = g.node('MatMul', [x.name, k], {}, layer.name);
    if (layer.config.use_bias !== false) y = g.node('Add', [y, bias(g, layer)], {}, layer.name);
  }
  return activation(g, { name: y, rank: x.rank, layout: 'tf' }, layer.config.activation, layer);
};

/** Keras flattens in its own (H, W, C) order, so the feature map goes back to NHWC first. */
const flatten: Converter = (g, layer) => {
  const x = g.toTf(single(layer));
  return { name: g.node('Flatten', [x.name], { axis: 1 }, layer.name), rank: 2, layout: 'tf' };
};

const reshape: Converter = (g, layer) => {
  const x = g.toTf(single(layer));
  const target = layer.config.target_shape;
  if (!Array.isArray(target) || !target.every((d) => Number.isInteger(d))) fail(layer, `has target_shape ${JSON.stringify(target)}`);
  // 0 copies the batch dimension
  const shape = g.int64Tensor(`${layer.name}/shape`, [0, ...(target as number[])]);
  return { name: g.node('Reshape', [x.name, shape], {}, layer.name), rank: target.length + 1, layout: 'tf' };
};

/** The inputs of a merge layer in one layout: NCHW when they are all images and any is NCHW already. */
function aligned(g: GraphBuilder, layer: LayerSpec): Value[] {
  if (layer.inputs.length < 2) fail(layer, `merges ${layer.inputs.length} input(s); it needs at least 2`);
  const ranks = new Set(layer.inputs.map((v) => v.rank));
  if (ranks.size !== 1) fail(layer, `merges tensors of different ranks (${[...ranks].join(', ')})`);
  const nchw = layer.inputs[0]!.rank === 4 && layer.inputs.some((v) => v.layout === 'nchw');
  return layer.inputs.map((v) => (nchw ? g.toNchw(v) : g.toTf(v)));
}

const elementwise =
  (op: 'Add' | 'Sub' | 'Mul' | 'Max' | 'Min'): Converter =>
  (g, layer) => {
    const xs = aligned(g, layer);
    if (op === 'Sub' && xs.length !== 2) fail(layer, `subtracts ${xs.length} inputs; it needs exactly 2`);
    let acc = xs[0]!.name;
    for (const x of xs.slice(1)) acc = g.node(op, [acc, x.name], {}, layer.name);
    return { ...xs[0]!, name: acc };
  };

const average: Converter = (g, layer) => {
  const xs = aligned(g, layer);
  const sum = g.node('Sum', xs.map((x) => x.name), {}, layer.name);
  const n = g.floatTensor(`${layer.name}/count`, [], new Float32Array([xs.length]));
  return { ...xs[0]!, name: g.node('Div', [sum, n], {}, layer.name) };
};

const concatenate: Converter = (g, layer) => {
  const xs = aligned(g, layer);
  const rank = xs[0]!.rank;
  const raw = Number(layer.config.axis ?? -1);
  const axis = raw < 0 ? raw + rank : raw;
  if (!Number.isInteger(axis) || axis < 1 || axis >= rank) fail(layer, `concatenates along axis ${raw}, which is not a feature axis`);
  const onnxAxis = xs[0]!.layout === 'nchw' ? [0, 2, 3, 1][axis]! : axis; // TF.js's (N, H, W, C) → NCHW positions
  return { ...xs[0]!, name: g.node('Concat', xs.map((x) => x.name), { axis: onnxAxis }, layer.name) };
};

const activationLayer: Converter = (g, layer) => activation(g, single(layer), layer.config.activation, layer);

const relu: Converter = (g, layer) => {
  const x = single(layer);
  const max = layer.config.max_value;
  if (max != null) return activation(g, x, Number(max) === 6 ? 'relu6' : fail(layer, `has max_value ${String(max)}; only 6 is exported`), layer);
  return activation(g, x, 'relu', layer);
};

const leakyRelu: Converter = (g, layer) => {
  const x = single(layer);
  return { ...x, name: g.node('LeakyRelu', [x.name], { alpha: { float: Number(layer.config.alpha ?? 0.3) } }, layer.name) };
};

const pooling =
  (op: 'MaxPool' | 'AveragePool'): Converter =>
  (g, layer) => {
    const x = image(g, layer);
    const k = pair(layer.config.pool_size, 2);
    const strides = pair(layer.config.strides ?? layer.config.pool_size, 2);
    // AveragePool leaves padded cells out of the mean by default (count_include_pad 0), as Keras does
    const y = g.node(op, [x.name], { kernel_shape: k, strides, ...spatialPadding(layer, k, strides, [1, 1]) }, layer.name);
    return { name: y, rank: 4, layout: 'nchw' };
  };

const globalAveragePooling: Converter = (g, layer) => {
  const x = image(g, layer);
  if (layer.config.keepdims === true) fail(layer, 'has keepdims true, which the ONNX export does not map');
  const pooled = g.node('GlobalAveragePool', [x.name], {}, layer.name);
  return { name: g.node('Flatten', [pooled], { axis: 1 }, layer.name), rank: 2, layout: 'tf' };
};

/** Keras's nearest and bilinear upsampling sample without half-pixel centres: "asymmetric" in ONNX's terms. */
const upSampling: Converter = (g, layer) => {
  const x = image(g, layer);
  const [sh, sw] = pair(layer.config.size, 2);
  const interpolation = String(layer.config.interpolation ?? 'nearest');
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') fail(layer, `uses interpolation "${interpolation}"; only nearest and bilinear are exported`);
  const scales = g.floatTensor(`${layer.name}/scales`, [4], new Float32Array([1, 1, sh, sw]));
  const attrs: Record<string, AttrValue> =
    interpolation === 'nearest'
      ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
      : { mode: 'linear', coordinate_transformation_mode: 'asymmetric' };
  return { name: g.node('Resize', [x.name, '', scales], attrs, layer.name), rank: 4, layout: 'nchw' };
};

const batchNormalization: Converter = (g, layer) => {
  const x = single(layer);
  const axis = Number(layer.config.axis ?? -1);
  if (x.rank !== 4 || (axis !== -1 && axis !== 3)) fail(layer, `normalises axis ${axis} of a rank-${x.rank} tensor; only the channels of an image are exported`);
  const xn = g.toNchw(x);
  const mean = weight(layer, 'moving_mean');
  const channels = mean.shape[0]!;
  const filled = (name: string, value: number) => layer.weights.get(name) ?? { shape: [channels], data: new Float32Array(channels).fill(value) };
  const t = (name: string, w: LayerWeight) => g.floatTensor(`${layer.name}/${name}`, w.shape, w.data);
  const inputs = [xn.name, t('gamma', filled('gamma', 1)), t('beta', filled('beta', 0)), t('moving_mean', mean), t('moving_variance', weight(layer, 'moving_variance'))];
  return { name: g.node('BatchNormalization', inputs, { epsilon: { float: Number(layer.config.epsilon ?? 1e-3) } }, layer.name), rank: 4, layout: 'nchw' };
};

/** Layers that do nothing at inference. */
const identity: Converter = (_g, layer) => single(layer);

export const LAYER_CONVERTERS: ReadonlyMap<string, Converter> = new Map<string, Converter>([
  ['Conv2D', conv2d],
  ['Conv2DTranspose', conv2dTranspose],
  ['Dense', dense],
  ['Flatten', flatten],
  ['Reshape', reshape],
  ['Add', elementwise('Add')],
  ['Subtract', elementwise('Sub')],
  ['Multiply', elementwise('Mul')],
  ['Maximum', elementwise('Max')],
  ['Minimum', elementwise('Min')],
  ['Average', average],
  ['Concatenate', concatenate],
  ['Activation', activationLayer],
  ['ReLU', relu],
  ['LeakyReLU', leakyRelu],
  ['MaxPooling2D', pooling('MaxPool')],
  ['AveragePooling2D', pooling('AveragePool')],
  ['GlobalAveragePooling2D', globalAveragePooling],
  ['UpSampling2D', upSampling],
  ['BatchNormalization', batchNormalization],
  ['Dropout', identity],
  ['SpatialDropout2D', identity],
  ['GaussianNoise', identity],
  ['GaussianDropout', identity],
]);
