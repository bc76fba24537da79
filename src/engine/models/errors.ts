/** Errors the model zoo and model file IO throw; each message says what is wrong and with which numbers/paths. */

export class ModelTooLargeError extends Error {
  constructor(
    readonly params: number,
    readonly limit: number,
    modelName = 'model',
  ) {
    super(
      `${modelName} has ${params.toLocaleString('en-US')} parameters, more than the limit of ` +
        `${limit.toLocaleString('en-US')} trainable here; choose a smaller preset`,
    );
    this.name = 'ModelTooLargeError';
  }
}

/** An input image that the model cannot take (wrong fixed size, or not a multiple of its stride). */
export class InputSizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputSizeError';
  }
}

export class UnknownModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownModelError';
  }
}

/** A model directory that cannot be read: missing/corrupt model.json, missing/short weights file. */
export class ModelFileError extends Error {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelFileError';
  }
}
