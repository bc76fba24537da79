/**
 * Tensor methods such as `x.mul(y)` or `x.reshape(s)`. The full @tensorflow/tfjs package installs
 * them; tfjs-core alone (what the engine imports, in its Node build) does not, so this module adds
 * the same methods onto the Tensor class of the engine's one tfjs-core instance. Methods that are
 * already there (e.g. because tfjs-node loaded the full package) are left alone.
 */
import * as core from '@tensorflow/tfjs-core';
// Brings tfjs-core's own type declarations of the chained methods into the program.
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

type Op = (...args: unknown[]) => core.Tensor;
type Method = (this: core.Tensor, ...args: unknown[]) => unknown;

/** Methods that are `op(this, ...args)` for the tfjs-core op of the same name. */
const SAME_NAME_OPS = [
  'abs', 'acos', 'acosh', 'add', 'all', 'any', 'argMax', 'argMin', 'asin', 'asinh', 'atan', 'atan2',
  'atanh', 'avgPool', 'broadcastTo', 'cast', 'ceil', 'clipByValue', 'conv1d', 'conv2d',
  'conv2dTranspose', 'cos', 'cosh', 'cumprod', 'cumsum', 'depthToSpace', 'depthwiseConv2d',
  'dilation2d', 'div', 'divNoNan', 'dot', 'elu', 'equal', 'erf', 'euclideanNorm', 'exp',
  'expandDims', 'expm1', 'fft', 'floor', 'floorDiv', 'gather', 'greater', 'greaterEqual', 'ifft',
  'irfft', 'isFinite', 'isInf', 'leakyRelu', 'less', 'lessEqual', 'localResponseNormalization',
  'log', 'log1p', 'logSigmoid', 'logSoftmax', 'logSumExp', 'logicalAnd', 'logicalNot', 'logicalOr',
  'logicalXor', 'matMul', 'max', 'maxPool', 'maximum', 'mean', 'min', 'minimum', 'mirrorPad', 'mod',
  'mul', 'neg', 'norm', 'notEqual', 'oneHot', 'onesLike', 'pad', 'pool', 'pow', 'prelu', 'prod',
  'reciprocal', 'relu', 'relu6', 'reshape', 'reverse', 'rfft', 'round', 'rsqrt', 'selu',
  'separableConv2d', 'sigmoid', 'sign', 'sin', 'sinh', 'slice', 'softmax', 'softplus', 'split',
  'sqrt', 'square', 'squaredDifference', 'squeeze', 'step', 'stridedSlice', 'sub', 'sum', 'tan',
  'tanh', 'tile', 'topk', 'transpose', 'unique', 'unsortedSegmentSum', 'unstack', 'zerosLike',
] as const;

function opNamed(name: string): Op {
  const op = (core as unknown as Record<string, unknown>)[name];
  if (typeof op !== 'function') throw new Error(`tfjs-core ${core.version_core} has no op '${name}'`);
  return op as Op;
}

function withList(t: core.Tensor, x: core.Tensor | core.Tensor[]): core.Tensor[] {
  return x instanceof core.Tensor ? [t, x] : [t, ...x];
}

const SPECIAL: Record<string, Method> = {
  as1D() { return core.reshape(this, [this.size]); },
  as2D(r: unknown, c: unknown) { return core.reshape(this, [r as number, c as number]); },
  as3D(r: unknown, c: unknown, d: unknown) { return core.reshape(this, [r, c, d] as number[]); },
  as4D(r: unknown, c: unknown, d: unknown, d2: unknown) { return core.reshape(this, [r, c, d, d2] as number[]); },
  as5D(r: unknown, c: unknown, d: unknown, d2: unknown, d3: unknown) {
    return core.reshape(this, [r, c, d, d2, d3] as number[]);
  },
  asScalar() {
    if (this.size !== 1) throw new Error('The array must have only 1 element.');
    return core.reshape(this, []);
  },
  asType(dtype: unknown) { return core.cast(this, dtype as core.DataType); },
  toBool() { return core.cast(this, 'bool'); },
  toFloat() { return core.cast(this, 'float32'); },
  toInt() { return core.cast(this, 'int32'); },
  flatten() { return core.reshape(this, [this.size]); },
  reshapeAs(x: unknown) { return core.reshape(this, (x as core.Tensor).shape); },
  isNaN() { return core.isNaN(this); },
  batchNorm(...args: unknown[]) { return opNamed('batchNorm')(this, ...args); },
  batchToSpaceND(...args: unknown[]) { return opNamed('batchToSpaceND')(this, ...args); },
  spaceToBatchND(...args: unknown[]) { return opNamed('spaceToBatchND')(this, ...args); },
  resizeBilinear(...args: unknown[]) { return (core.image.resizeBilinear as Op)(this, ...args); },
  resizeNearestNeighbor(...args: unknown[]) { return (core.image.resizeNearestNeighbor as Op)(this, ...args); },
  concat(x: unknown, axis: unknown) { return core.concat(withList(this, x as core.Tensor[]), axis as number); },
  stack(x: unknown, axis: unknown) { return core.stack(withList(this, x as core.Tensor[]), axis as number); },
  where(condition: unknown, x: unknown) { return core.where(condition as core.Tensor, this, x as core.Tensor); },
};

let installed = false;

/** Idempotent; called once by src/engine/runtime/tf.ts on import. */
export function installChainedOps(): void {
  if (installed) return;
  installed = true;
  const proto = core.Tensor.prototype as unknown as Record<string, unknown>;
  const define = (name: string, impl: Method): void => {
    if (typeof proto[name] === 'function') return;
    proto[name] = function (this: core.Tensor, ...args: unknown[]) {
      this.throwIfDisposed();
      return impl.apply(this, args);
    };
  };
  for (const name of SAME_NAME_OPS) {
    const op = opNamed(name);
    define(name, function (this: core.Tensor, ...args: unknown[]) { return op(this, ...args); });
  }
  for (const [name, impl] of Object.entries(SPECIAL)) define(name, impl);
}
