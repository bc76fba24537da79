/** A model the ONNX exporter cannot express: names the layer (class and name) and what is missing. */
export class OnnxExportError extends Error {
  constructor(
    message: string,
    /** the Keras layer class at fault (e.g. "LSTM"), null when the problem is the model as a whole */
    readonly layerClass: string | null = null,
  ) {
    super(message);
    this.name = 'OnnxExportError';
  }
}
