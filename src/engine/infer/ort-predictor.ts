import type { TilePredictor } from './deblur-image';
import type { Ort } from './ort-module';

type Session = import('onnxruntime-node').InferenceSession;

/**
 * The ONNX Runtime twin of modelPredictor: the exported graph takes and returns NHWC float32 like
 * the TF.js model, so a tile goes in as it is, [1, height, width, 3], and comes back the same way.
 */
export function ortPredictor(ort: Ort, session: Session): TilePredictor {
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (!inputName || !outputName) throw new Error('the ONNX model has no input or no output');
  return async (input, width, height) => {
    const feeds = { [inputName]: new ort.Tensor('float32', input, [1, height, width, 3]) };
    const out = (await session.run(feeds))[outputName];
    if (!out) throw new Error(`the ONNX model returned no ${outputName}`);
    if (out.type !== 'float32') throw new Error(`the ONNX model returned ${out.type} values, expected float32`);
    return out.data as Float32Array;
  };
}
