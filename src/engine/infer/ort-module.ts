import { describeError } from '../runtime/backends/describe-error';

/** onnxruntime-node, loaded on first use; a machine without it (or without its native library) runs TF.js. */
export type Ort = typeof import('onnxruntime-node');
export type OrtLoader = () => Promise<Ort>;

export class OrtUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OrtUnavailableError';
  }
}

export const loadOnnxRuntime: OrtLoader = async () => {
  try {
    const ort = (await import('onnxruntime-node')) as Ort & { default?: Ort };
    // the CommonJS package arrives as a namespace whose members may sit on default
    return (ort.InferenceSession ? ort : ort.default!) as Ort;
  } catch (err) {
    throw new OrtUnavailableError(`onnxruntime-node cannot load: ${describeError(err)}`, { cause: err });
  }
};

export function ortVersion(ort: Ort): string | null {
  return (ort.env.versions as { node?: string; common?: string }).node ?? ort.env.versions.common ?? null;
}
