import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../data/seededRandom';

/**
 * Ops with hand-written gradients, to keep the backward pass's memory down: built from plain ops,
 * tfjs's tape keeps the inputs (and some outputs) of every op, several [rows, width] tensors per
 * GELU or LayerNorm. These save only what the analytic backward needs. Their forward passes are
 * the same op sequences as the plain versions, so the values are identical.
 */

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** The plain-op exact GELU (with erf, as torch.nn.functional.gelu): 0.5·x·(1 + erf(x/√2)). */
export function geluErfComposite<T extends tf.Tensor>(x: T): T {
  return x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);
}

const geluErfGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: geluErfComposite(x),
    // d/dx gelu(x) = Φ(x) + x·φ(x)
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [input] = saved as [tf.Tensor];
      return tf.tidy(() => {
        const cdf = tf.erf(input.mul(Math.SQRT1_2)).add(1).mul(0.5);
        const pdf = tf.exp(input.square().mul(-0.5)).mul(INV_SQRT_2PI);
        return dy.mul(cdf.add(input.mul(pdf)));
      });
    },
  };
});

/** Exact GELU whose backward pass keeps only its input. */
export function geluErf<T extends tf.Tensor>(x: T): T {
  return geluErfGrad(x) as T;
}

/** The plain-op LayerNorm over the last axis with the biased variance, as torch.nn.LayerNorm. */
export function layerNormComposite(x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).mul(tf.rsqrt(variance.add(epsilon))).mul(gamma).add(beta);
}

/**
 * LayerNorm over the last axis of [rows, width] (biased variance, as torch.nn.LayerNorm) whose
 * backward pass keeps only the normalised input x̂ and 1/σ per row (plus a reference to gamma).
 * With g = dy·γ:  dx = (g − mean(g) − x̂·mean(g·x̂)) / σ,  dγ = Σ_rows dy·x̂,  dβ = Σ_rows dy.
 */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor2D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, scale, shift, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const { mean, variance } = tf.moments(input, -1, true);
    const rstd = tf.rsqrt(variance.add(epsilon));
    const normalised = input.sub(mean).mul(rstd);
    save([normalised, rstd, scale]);
    return {
      value: normalised.mul(scale).add(shift),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xhat, inverseStd, gammaSaved] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.tidy(() => {
          const g = dy.mul(gammaSaved);
          const meanG = g.mean(-1, true);
          const meanGX = g.mul(xhat).mean(-1, true);
          const dx = g.sub(meanG).sub(xhat.mul(meanGX)).mul(inverseStd);
          const dGamma = dy.mul(xhat).sum(0).reshape(gammaSaved.shape);
          const dBeta = dy.sum(0).reshape(gammaSaved.shape);
          return [dx, dGamma, dBeta];
        });
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor2D;
}

/** x·W + b on [rows, in] × [in, out]; the backward pass keeps x and W only (not the [rows, out] product). */
export function linear(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor): tf.Tensor2D {
  return linearGrad(x, kernel, bias) as tf.Tensor2D;
}

const linearGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, kernel, bias, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor, tf.GradSaveFunc];
  save([x, kernel]);
  return {
    value: tf.matMul(x, kernel).add(bias),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [input, weights] = saved as [tf.Tensor2D, tf.Tensor2D];
      return tf.tidy(() => {
        const dy2 = dy as tf.Tensor2D;
        return [tf.matMul(dy2, weights, false, true), tf.matMul(input, dy2, true, false), dy2.sum(0).reshape(bias.shape)];
      });
    },
  };
});

/** a + b for same-shaped tensors; the backward pass keeps nothing (tfjs's Add keeps both inputs). */
export function addSameShape<T extends tf.Tensor>(a: T, b: T): T {
  if (!tf.util.arraysEqual(a.shape, b.shape)) throw new Error(`addSameShape: [${a.shape.join(', ')}] vs [${b.shape.join(', ')}]`);
  return addGrad(a, b) as T;
}

const addGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b] = args as [tf.Tensor, tf.Tensor];
  return {
    value: tf.add(a, b),
    gradFunc: (dy: tf.Tensor) => [dy.clone(), dy.clone()],
  };
});

/** The masks' seeds inside `withDropoutSeed`; undefined outside (unseeded masks). */
let maskSeeds: SeededRandom | undefined;

/**
 * Runs `fn` with every dropout mask it draws seeded: the n-th mask from the n-th number of a stream
 * of `seed`. Training seeds each step from (the run's seed, the global step), so a step draws the
 * same masks whenever it runs: a seeded run is reproducible, and one resumed at any step continues
 * exactly (tf.randomUniform without a seed draws from an unseeded generator, which allows neither).
 */
export function withDropoutSeed<T>(seed: number, fn: () => T): T {
  const outer = maskSeeds;
  maskSeeds = new SeededRandom(seed, 0xd0);
  try {
    return fn();
  } finally {
    maskSeeds = outer;
  }
}

/** The seed of a training step's dropout masks. */
export const stepDropoutSeed = (runSeed: number, step: number): number => new SeededRandom(runSeed, 0x5000 + step).nextInt(2 ** 31);

/** [0 or 1/keep] per element: the dropout multiplier, from the current mask seed. */
function dropoutMultiplier(shape: readonly number[], keep: number): tf.Tensor {
  return tf.floor(tf.add(tf.randomUniform(shape as number[], 0, 1, 'float32', maskSeeds?.nextInt(2 ** 31)), keep)).div(keep);
}

/**
 * tf.dropout (the same ops) whose backward pass keeps only the [0 or 1/keep] multiplier, not the
 * input as well; its masks are seeded inside `withDropoutSeed`.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number): T {
  if (rate <= 0) return x;
  const keep = 1 - rate;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const multiplier = dropoutMultiplier(input.shape, keep);
    save([multiplier]);
    return {
      value: tf.mul(input, multiplier),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0] as tf.Tensor),
    };
  });
  return op(x) as T;
}

/**
 * softmax(scores + mask) over the last axis, mask broadcast onto scores; the backward pass keeps
 * only the probabilities (tfjs's Add would keep the score-sized sum as well). The mask gets no gradient.
 */
export function maskedSoftmax(scores: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor4D {
  return maskedSoftmaxGrad(scores, mask) as tf.Tensor4D;
}

const maskedSoftmaxGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [scores, mask, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const probabilities = tf.softmax(scores.add(mask), -1);
  save([probabilities]);
  return {
    value: probabilities,
    // As tfjs's Softmax gradient: y·dy − y·Σ(y·dy)
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [y] = saved as [tf.Tensor];
      return tf.tidy(() => {
        const dyTimesY = tf.mul(dy, y);
        return [tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, -1, true), y)), tf.zerosLike(mask)];
      });
    },
  };
});

/** x / divisor for a constant divisor; the backward pass keeps nothing (tfjs's RealDiv keeps x). */
export function divideByConstant<T extends tf.Tensor>(x: T, divisor: number): T {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input] = args as [tf.Tensor];
    return { value: tf.div(input, divisor), gradFunc: (dy: tf.Tensor) => tf.div(dy, divisor) };
  });
  return op(x) as T;
}

/** Dropout as the checkpointed function sees it: draws masks on the forward pass, replays them on the recomputation. */
export type CheckpointDropout = <T extends tf.Tensor>(x: T, rate: number) => T;

/**
 * Gradient checkpointing: `fn(inputs)` runs without the tape, keeping only its inputs (references) and
 * its dropout masks; the backward pass runs it again under its own `tf.grads` to get the gradients
 * of every input. tfjs frees nothing of a backward pass until it ends (every intermediate gradient
 * and every saved activation lives to the end), so this bounds the activations kept across a deep
 * model to one block's worth plus each block's input. `fn` must be deterministic apart from
 * `dropout`, and must use its parameters through `inputs` (they get gradients as inputs).
 */
export function checkpointed(fn: (inputs: tf.Tensor[], dropout: CheckpointDropout) => tf.Tensor, inputs: tf.Tensor[], training: boolean): tf.Tensor {
  const count = inputs.length;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const tensors = args.slice(0, count) as tf.Tensor[];
    const save = args[count] as tf.GradSaveFunc;
    const masks: tf.Tensor[] = [];
    const record: CheckpointDropout = (x, rate) => {
      if (!training || rate <= 0) return x;
      const keep = 1 - rate;
      const multiplier = dropoutMultiplier(x.shape, keep);
      masks.push(multiplier);
      return tf.mul(x, multiplier);
    };
    const value = fn(tensors, record);
    save([...tensors, ...masks]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const savedInputs = saved.slice(0, count);
        const savedMasks = saved.slice(count);
        let next = 0;
        const replay: CheckpointDropout = (x, rate) => {
          if (!training || rate <= 0) return x;
          const mask = savedMasks[next++];
          if (mask === undefined) throw new Error('checkpointed: the recomputation used more dropout masks than the forward pass');
          return tf.mul(x, mask);
        };
        // tf.grads here, during the outer backward pass, starts a fresh tape and clears it when done:
        // the outer tape (whose saved tensors the outer pass frees at its end) is put back afterwards.
        const state = tf.engine().state;
        const outerTape = state.activeTape;
        try {
          return tf.grads((...xs: tf.Tensor[]) => fn(xs, replay))(savedInputs, dy);
        } finally {
          state.activeTape = outerTape;
        }
      },
    };
  });
  return op(...inputs);
}
