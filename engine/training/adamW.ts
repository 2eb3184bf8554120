import * as tf from '@tensorflow/tfjs';

/**
 * AdamW (decoupled weight decay) as `torch.optim.AdamW` (PyTorch 1.13, amsgrad off), over parameters
 * named by their Hugging Face names. For a parameter p with gradient g at its t-th update
 * (t counts that parameter's own updates, from 1), learning rate lr and weight decay λ:
 *
 *   p ← p · (1 − lr·λ)                          (λ = 0 for biases and LayerNorm parameters)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 *
 * State (m, v, t) is kept per parameter name, not by position as `tf.train.adam` does, so a stage
 * that freezes some groups and a later one that unfreezes them keep every parameter's own moments
 * (torch behaves the same: a parameter without a gradient is skipped and its state kept).
 * With `weightDecay: 0` this is Adam (the config's `optimizer: adam`).
 */

/** torch's AdamW defaults (and HF Trainer's `adam_beta1`, `adam_beta2`, `adam_epsilon`); the sparse kernel uses them too. */
export const ADAMW_DEFAULTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

export interface AdamWOptions {
  /** Default 0.9. */
  readonly beta1?: number;
  /** Default 0.999. */
  readonly beta2?: number;
  /** Default 1e-8 (torch and HF Trainer's `adam_epsilon`). */
  readonly epsilon?: number;
  /** Decoupled weight decay λ; default 0.01 (torch's default and the config's `training.weight_decay`). */
  readonly weightDecay?: number;
  /** Parameters exempt from weight decay; default `isNoDecayParameter`. */
  readonly noDecay?: (name: string) => boolean;
}

/**
 * HF's no-decay rule: every parameter whose name contains "bias" (the `no_decay = ["bias",
 * "LayerNorm.weight"]` of HF's examples) and every LayerNorm parameter (Trainer's
 * `get_decay_parameter_names` excludes all parameters of LayerNorm modules).
 */
export function isNoDecayParameter(name: string): boolean {
  return name.includes('bias') || /layer_?norm/i.test(name);
}

/** One parameter's optimiser state as plain arrays, for checkpoints. */
export interface AdamWParameterState {
  readonly name: string;
  /** Updates applied to this parameter so far (torch's `state['step']`). */
  readonly step: number;
  readonly shape: readonly number[];
  readonly m: Float32Array;
  readonly v: Float32Array;
}

export interface AdamWState {
  readonly parameters: readonly AdamWParameterState[];
}

interface Slot {
  step: number;
  m: tf.Tensor;
  v: tf.Tensor;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private readonly noDecay: (name: string) => boolean;
  private readonly slots = new Map<string, Slot>();

  constructor(options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? ADAMW_DEFAULTS.beta1;
    this.beta2 = options.beta2 ?? ADAMW_DEFAULTS.beta2;
    this.epsilon = options.epsilon ?? ADAMW_DEFAULTS.epsilon;
    this.weightDecay = options.weightDecay ?? 0.01;
    this.noDecay = options.noDecay ?? isNoDecayParameter;
    for (const [key, value] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(value >= 0 && value < 1)) throw new Error(`AdamW ${key} must be in [0, 1); got ${value}`);
    }
    if (!(this.epsilon >= 0)) throw new Error(`AdamW epsilon must be ≥ 0; got ${this.epsilon}`);
    if (!(this.weightDecay >= 0)) throw new Error(`AdamW weight decay must be ≥ 0; got ${this.weightDecay}`);
  }

  /** Whether `name` is decayed (weight decay > 0 and not a bias or LayerNorm parameter). */
  decays(name: string): boolean {
    return this.weightDecay > 0 && !this.noDecay(name);
  }

  /**
   * Updates each named parameter that has a gradient, at `learningRate`. Parameters without a
   * gradient (frozen) are left alone, state included. The gradients are not disposed.
   */
  applyGradients(parameters: ReadonlyMap<string, tf.Variable>, gradients: ReadonlyMap<string, tf.Tensor>, learningRate: number): void {
    if (!(learningRate >= 0)) throw new Error(`learning rate must be ≥ 0; got ${learningRate}`);
    for (const name of gradients.keys()) {
      if (!parameters.has(name)) throw new Error(`gradient for ${name}, which is not among the parameters`);
    }
    for (const [name, variable] of parameters) {
      const gradient = gradients.get(name);
      if (gradient === undefined) continue;
      if (!shapesEqual(gradient.shape, variable.shape)) {
        throw new Error(`gradient for ${name} has shape [${gradient.shape.join(', ')}], the parameter [${variable.shape.join(', ')}]`);
      }
      this.update(name, variable, gradient, learningRate);
    }
  }

  /** Updates applied to `name` so far (0 when it never trained). */
  stepOf(name: string): number {
    return this.slots.get(name)?.step ?? 0;
  }

  /** The state as plain arrays, in the order parameters first trained. */
  async exportState(): Promise<AdamWState> {
    const parameters = await Promise.all(
      [...this.slots].map(async ([name, slot]) => ({
        name,
        step: slot.step,
        shape: [...slot.m.shape],
        m: Float32Array.from(await slot.m.data()),
        v: Float32Array.from(await slot.v.data()),
      })),
    );
    return { parameters };
  }

  /** Replaces the state with `state` (from `exportState`); shapes are checked when a parameter next updates. */
  importState(state: AdamWState): void {
    const slots = state.parameters.map((entry): [string, Slot] => {
      const size = entry.shape.reduce((product, dimension) => product * dimension, 1);
      if (entry.m.length !== size || entry.v.length !== size) {
        throw new Error(`AdamW state for ${entry.name}: shape [${entry.shape.join(', ')}] needs ${size} values, got ${entry.m.length} and ${entry.v.length}`);
      }
      if (!Number.isInteger(entry.step) || entry.step < 0) throw new Error(`AdamW state for ${entry.name}: bad step ${entry.step}`);
      return [entry.name, { step: entry.step, m: tf.tensor(entry.m, [...entry.shape], 'float32'), v: tf.tensor(entry.v, [...entry.shape], 'float32') }];
    });
    this.dispose();
    for (const [name, slot] of slots) this.slots.set(name, slot);
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const slot of this.slots.values()) {
      slot.m.dispose();
      slot.v.dispose();
    }
    this.slots.clear();
  }

  private update(name: string, variable: tf.Variable, gradient: tf.Tensor, learningRate: number): void {
    let slot = this.slots.get(name);
    if (slot === undefined) {
      slot = { step: 0, m: tf.zerosLike(variable), v: tf.zerosLike(variable) };
      this.slots.set(name, slot);
    } else if (!shapesEqual(slot.m.shape, variable.shape)) {
      throw new Error(`AdamW state for ${name} has shape [${slot.m.shape.join(', ')}], the parameter [${variable.shape.join(', ')}]`);
    }
    const step = slot.step + 1;
    const { beta1, beta2, epsilon } = this;
    const decay = this.decays(name) ? learningRate * this.weightDecay : 0;
    // Scalars are computed in double precision, as torch does in Python, then applied in float32.
    const stepSize = learningRate / (1 - beta1 ** step);
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
    const previous = slot;
    // One small tidy per quantity, each old moment freed as soon as its successor exists: a single
    // tidy around the whole update kept about 13 parameter-sized temporaries alive at once, which
    // is what broke BERT-base in the WebAssembly backend's 4 GB heap.
    const g = gradient.dtype === 'float32' ? gradient : gradient.toFloat();
    const m = tf.tidy(() => previous.m.mul(beta1).add(g.mul(1 - beta1)));
    previous.m.dispose();
    const v = tf.tidy(() => previous.v.mul(beta2).add(g.mul(g).mul(1 - beta2)));
    previous.v.dispose();
    if (g !== gradient) g.dispose();
    const denominator = tf.tidy(() => v.sqrt().div(biasCorrection2Sqrt).add(epsilon));
    const change = tf.tidy(() => m.div(denominator).mul(stepSize));
    denominator.dispose();
    tf.tidy(() => variable.assign((decay === 0 ? variable : variable.mul(1 - decay)).sub(change)));
    change.dispose();
    this.slots.set(name, { step, m, v });
  }
}

function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dimension, index) => dimension === b[index]);
}
