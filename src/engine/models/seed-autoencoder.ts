import * as tf from './tf';
import type { InputConstraint } from './input-constraint';
import { applyLayer, type Layer } from './layer-utils';

/**
 * The project's seed model, reproduced layer for layer: a dense-bottleneck convolutional autoencoder.
 * Its Flatten/Dense bottleneck ties it to one input size (448×256), and 99.6 % of its 14.8 M
 * parameters sit in the two Dense layers.
 *
 * The bottleneck Dense(128) uses ReLU: the parameter counts do not tell linear from ReLU, and the
 * original Keras seed used `activation='relu'` on every hidden layer, as reproduced here.
 */
export const SEED_INPUT = { width: 448, height: 256, channels: 3 } as const;

export const SEED_INPUT_CONSTRAINT: InputConstraint = {
  fixed: { width: SEED_INPUT.width, height: SEED_INPUT.height },
};

export const SEED_DESCRIPTION =
  'The original seed autoencoder, reproduced exactly: three stride-2 convolutions (8, 16, 32 filters), ' +
  'a 128-unit dense bottleneck, and a mirrored transposed-convolution decoder with a sigmoid output. ' +
  'It only takes 448×256 (width×height) RGB inputs, and its dense bottleneck discards most detail; ' +
  'kept as a baseline.';

const ENCODER_FILTERS = [8, 16, 32] as const;
const DECODER_FILTERS = [32, 16, 8] as const;
const BOTTLENECK_UNITS = 128;

export function buildSeedAutoencoder(): tf.LayersModel {
  const { width, height, channels } = SEED_INPUT;
  const input = tf.input({ shape: [height, width, channels], name: 'input_image' });

  let x: tf.SymbolicTensor = input;
  ENCODER_FILTERS.forEach((filters, i) => {
    x = applyLayer(conv('conv2d', `enc_conv${i + 1}`, filters, 2, 'relu'), x);
  });
  const [, encH, encW, encC] = x.shape as number[];
  x = applyLayer(tf.layers.flatten({ name: 'flatten' }), x);
  x = applyLayer(tf.layers.dense({ units: BOTTLENECK_UNITS, activation: 'relu', name: 'bottleneck' }), x);
  x = applyLayer(tf.layers.dense({ units: encH! * encW! * encC!, activation: 'relu', name: 'expand' }), x);
  x = applyLayer(tf.layers.reshape({ targetShape: [encH!, encW!, encC!], name: 'reshape' }), x);
  DECODER_FILTERS.forEach((filters, i) => {
    x = applyLayer(conv('conv2dTranspose', `dec_deconv${i + 1}`, filters, 2, 'relu'), x);
  });
  const output = applyLayer(conv('conv2dTranspose', 'output', channels, 1, 'sigmoid'), x);
  return tf.model({ inputs: input, outputs: output, name: 'seed-autoencoder' });
}

function conv(
  kind: 'conv2d' | 'conv2dTranspose',
  name: string,
  filters: number,
  stride: number,
  activation: 'relu' | 'sigmoid',
): Layer {
  return tf.layers[kind]({ filters, kernelSize: 3, strides: stride, padding: 'same', activation, name });
}

/** The parameter count, computed from the architecture without building the 59 MB model. */
export function seedAutoencoderParamCount(): number {
  const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;
  const dense = (nin: number, nout: number) => nin * nout + nout;
  const flat = (SEED_INPUT.height / 8) * (SEED_INPUT.width / 8) * ENCODER_FILTERS[2];
  let total = 0;
  let cin: number = SEED_INPUT.channels;
  for (const f of ENCODER_FILTERS) {
    total += conv(3, cin, f);
    cin = f;
  }
  total += dense(flat, BOTTLENECK_UNITS) + dense(BOTTLENECK_UNITS, flat);
  for (const f of DECODER_FILTERS) {
    total += conv(3, cin, f);
    cin = f;
  }
  return total + conv(3, cin, SEED_INPUT.channels);
}
