import * as tf from './tf';
import { applyLayer } from './layer-utils';

/**
 * A residual U-Net for image restoration, built from standard Keras layers only (Conv2D,
 * Conv2DTranspose, Add, Concatenate), so its model.json converts to Keras as is.
 *
 * - U-Net (Ronneberger et al. 2015): an encoder–decoder with one skip connection per scale,
 *   concatenated and fused by a 1×1 convolution.
 * - Residual blocks without batch norm (Lim et al., EDSR 2017): conv3×3–ReLU–conv3×3 plus identity.
 * - Global residual learning (Kim et al., VDSR 2016): the network predicts the correction added to
 *   the input, output = input + f(input).
 * - Identity at initialisation: the last convolution of every residual branch and of the output
 *   head starts at zero (Goyal et al. 2017; Fixup, Zhang et al. 2019), so an untrained model returns
 *   its input unchanged and training without normalisation layers starts stable.
 *
 * Down- and upsampling are 2×2 stride-2 convolutions (as in NAFNet), cheaper than 3×3 ones; widths
 * stay small at full resolution, where a CPU/wasm backend spends most of its time.
 * Fully convolutional: any input whose sides are multiples of 2^(levels−1) works.
 */
export interface ResUNetConfig {
  /** Channels per resolution level, full resolution first; each further level halves the resolution. */
  widths: readonly number[];
  /** Residual blocks per encoder level above the bottleneck (the decoder mirrors them); widths.length − 1 entries. */
  blocks: readonly number[];
  /** Residual blocks at the lowest resolution. */
  bottleneckBlocks: number;
  /** Image channels in and out (3 for RGB). */
  channels?: number;
}

export const RESUNET_PRESETS = {
  small: { widths: [16, 32, 48, 64], blocks: [1, 1, 1], bottleneckBlocks: 1 },
  base: { widths: [24, 48, 96, 192], blocks: [1, 1, 2], bottleneckBlocks: 2 },
  large: { widths: [32, 64, 128, 256], blocks: [1, 2, 4], bottleneckBlocks: 6 },
} as const satisfies Record<string, ResUNetConfig>;

export type ResUNetPreset = keyof typeof RESUNET_PRESETS;

export const RESUNET_DEFAULT_PRESET: ResUNetPreset = 'small';

export const RESUNET_DESCRIPTION =
  'Residual U-Net for deblurring and restoration (U-Net, Ronneberger et al. 2015; global residual ' +
  'learning, VDSR 2016; batch-norm-free residual blocks, EDSR 2017). Predicts a correction added to ' +
  'the input and starts as the identity. Fully convolutional: takes any size whose width and height ' +
  'are multiples of its stride (8).';

export const RESUNET_PRESET_DESCRIPTIONS: Record<ResUNetPreset, string> = {
  small:
    '4 scales, widths 16–64, one residual block per scale: fast enough to train on a 2-core CPU ' +
    '(about an hour) with small patches.',
  base: '4 scales, widths 24–192, 10 residual blocks: the default for a GPU or the native backend.',
  large:
    '4 scales, widths 32–256, 20 residual blocks concentrated at low resolution: highest quality, ' +
    'needs a GPU to train in reasonable time.',
};

export function isResUNetPreset(name: string): name is ResUNetPreset {
  return Object.hasOwn(RESUNET_PRESETS, name);
}

/** Width and height must be multiples of this: one factor 2 per downsampling. */
export function resunetStrideMultiple(config: ResUNetConfig): number {
  return 2 ** (config.widths.length - 1);
}

/** Parameter count from the architecture alone (kept equal to the built model's by a test). */
export function resunetParamCount(config: ResUNetConfig): number {
  assertValidConfig(config);
  const { widths, blocks, bottleneckBlocks } = config;
  const channels = config.channels ?? 3;
  const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;
  const resBlock = (c: number) => 2 * conv(3, c, c);
  const levels = widths.length - 1;
  let total = conv(3, channels, widths[0]!) + conv(3, widths[0]!, channels); // head + tail
  for (let i = 0; i < levels; i++) {
    const w = widths[i]!;
    const deeper = widths[i + 1]!;
    total += 2 * blocks[i]! * resBlock(w); // encoder and decoder blocks
    total += conv(2, w, deeper) + conv(2, deeper, w); // down + up
    total += conv(1, 2 * w, w); // skip fusion
  }
  return total + bottleneckBlocks * resBlock(widths[levels]!);
}

export function buildResUNet(config: ResUNetConfig, name = 'resunet'): tf.LayersModel {
  assertValidConfig(config);
  const { widths, blocks, bottleneckBlocks } = config;
  const channels = config.channels ?? 3;
  const levels = widths.length - 1;

  const input = tf.input({ shape: [null, null, channels], name: 'input_image' });
  let x = applyLayer(conv2d('head', widths[0]!, 3), input);

  const skips: tf.SymbolicTensor[] = [];
  for (let i = 0; i < levels; i++) {
    for (let b = 0; b < blocks[i]!; b++) x = residualBlock(x, `enc${i}_res${b}`, widths[i]!);
    skips.push(x);
    x = applyLayer(conv2d(`down${i}`, widths[i + 1]!, 2, { strides: 2 }), x);
  }
  for (let b = 0; b < bottleneckBlocks; b++) x = residualBlock(x, `mid_res${b}`, widths[levels]!);
  for (let i = levels - 1; i >= 0; i--) {
    x = applyLayer(
      tf.layers.conv2dTranspose({ filters: widths[i]!, kernelSize: 2, strides: 2, padding: 'same', name: `up${i}` }),
      x,
    );
    x = applyLayer(tf.layers.concatenate({ name: `dec${i}_concat` }), [x, skips[i]!]);
    x = applyLayer(conv2d(`dec${i}_fuse`, widths[i]!, 1), x);
    for (let b = 0; b < blocks[i]!; b++) x = residualBlock(x, `dec${i}_res${b}`, widths[i]!);
  }
  const correction = applyLayer(conv2d('tail', channels, 3, { zeroInit: true }), x);
  const output = applyLayer(tf.layers.add({ name: 'global_residual' }), [input, correction]);
  return tf.model({ inputs: input, outputs: output, name });
}

/** conv3×3–ReLU–conv3×3 plus identity, no normalisation (EDSR); the second conv starts at zero. */
function residualBlock(x: tf.SymbolicTensor, name: string, width: number): tf.SymbolicTensor {
  const h = applyLayer(conv2d(`${name}_conv1`, width, 3, { relu: true }), x);
  const r = applyLayer(conv2d(`${name}_conv2`, width, 3, { zeroInit: true }), h);
  return applyLayer(tf.layers.add({ name: `${name}_add` }), [x, r]);
}

function conv2d(
  name: string,
  filters: number,
  kernelSize: number,
  opts: { strides?: number; relu?: boolean; zeroInit?: boolean } = {},
) {
  return tf.layers.conv2d({
    name,
    filters,
    kernelSize,
    strides: opts.strides ?? 1,
    padding: 'same',
    activation: opts.relu ? 'relu' : 'linear',
    // He init keeps the variance through ReLU; zero init makes a residual branch start as a no-op.
    kernelInitializer: opts.zeroInit ? 'zeros' : opts.relu ? 'heNormal' : 'glorotUniform',
  });
}

function assertValidConfig(config: ResUNetConfig): void {
  const { widths, blocks, bottleneckBlocks } = config;
  const positiveInts = (xs: readonly number[]) => xs.every((v) => Number.isInteger(v) && v >= 0);
  if (widths.length < 1 || !positiveInts(widths) || widths.some((w) => w < 1)) {
    throw new Error(`resunet: widths must be positive integers, got [${widths.join(', ')}]`);
  }
  if (blocks.length !== widths.length - 1 || !positiveInts(blocks) || !positiveInts([bottleneckBlocks])) {
    throw new Error(
      `resunet: blocks needs ${widths.length - 1} non-negative integers (one per level above the bottleneck), ` +
        `got [${blocks.join(', ')}]; bottleneckBlocks ${bottleneckBlocks}`,
    );
  }
}
