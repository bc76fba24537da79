/**
 * The TensorFlow.js instance the model zoo uses: the engine's single tfjs-core + tfjs-layers
 * instance from the runtime, so models live where selectRuntime registers the backends.
 */
export * from '../runtime/tf';
