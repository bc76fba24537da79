import * as tf from '../models/tf';

/**
 * Adam (Kingma & Ba 2015) in the form Keras/TensorFlow use:
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
 *   w ← w − α_t · m / (√v + ε),  α_t = lr · √(1−β2^t) / (1−β1^t).
 *
 * Written here instead of using tf.train.adam because resume must be exact: tf.train.adam keeps
 * β^t as float32 variables updated by repeated multiplication and its setWeights() recomputes
 * them with pow(), so a restored optimizer differs from the uninterrupted one in the last bits
 * (measured: 2e-7 relative for β2^1001). Here the whole state is m, v and the integer step count t;
 * α_t is computed in float64 from t, so a restored optimizer is the same optimizer.
 */
export interface AdamConfig {
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Keras's defaults. */
export const ADAM_DEFAULTS: AdamConfig = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

export interface AdamSlot {
  /** stable weight name, e.g. "head/kernel" (the layer weight's original name) */
  name: string;
  weight: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
}

export class Adam {
  readonly slots: AdamSlot[];
  /** updates applied so far (t of the formulas) */
  iterations = 0;

  constructor(
    weights: ReadonlyArray<{ name: string; variable: tf.Variable }>,
    readonly config: AdamConfig = ADAM_DEFAULTS,
  ) {
    const { beta1, beta2, epsilon } = config;
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
      throw new Error(`Adam: need 0 ≤ β1, β2 < 1 and ε > 0, got β1=${beta1} β2=${beta2} ε=${epsilon}`);
    }
    const names = new Set<string>();
    for (const w of weights) {
      if (names.has(w.name)) throw new Error(`Adam: weight name "${w.name}" appears twice`);
      names.add(w.name);
    }
    this.slots = weights.map(({ name, variable }) => ({
      name,
      weight: variable,
      m: tf.variable(tf.zerosLike(variable), false),
      v: tf.variable(tf.zerosLike(variable), false),
    }));
  }

  /** One update: `grads[i]` is the gradient of slot i's weight. Disposes nothing it was given. */
  apply(grads: readonly tf.Tensor[], lr: number): void {
    if (grads.length !== this.slots.length) throw new Error(`Adam: ${grads.length} gradients for ${this.slots.length} weights`);
    const { beta1, beta2, epsilon } = this.config;
    const t = this.iterations + 1;
    const alpha = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    tf.tidy(() => {
      this.slots.forEach((slot, i) => {
        const g = grads[i] as tf.Tensor;
        const m = tf.add(tf.mul(slot.m, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(g), 1 - beta2));
        slot.m.assign(m);
        slot.v.assign(v);
        slot.weight.assign(tf.sub(slot.weight, tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsilon)), alpha)));
      });
    });
    this.iterations = t;
  }

  dispose(): void {
    for (const s of this.slots) {
      s.m.dispose();
      s.v.dispose();
    }
  }
}

/** The trainable weights of a layers model, in the model's order, named stably across processes. */
export function trainableWeightsOf(model: tf.LayersModel): Array<{ name: string; variable: tf.Variable }> {
  return model.trainableWeights.map((w) => ({ name: w.originalName, variable: w.read() as tf.Variable }));
}
