import * as tf from '@tensorflow/tfjs';

/**
 * Global-norm gradient clipping as `torch.nn.utils.clip_grad_norm_` (L2): the norm of all gradients
 * taken together, n = √(Σ‖g‖²); when `maxNorm` > 0 every gradient is scaled by
 * min(1, maxNorm / (n + 1e-6)). Returns n before clipping, like torch.
 *
 * `maxNorm` 0 turns clipping off (the config's `max_grad_norm: 0`; HF Trainer skips the call then)
 * but the norm is still measured, for the logs. A non-finite norm is returned with the gradients
 * unscaled (torch would scale them by 0 or NaN): the trainer should skip that step.
 */
export interface ClippedGradients {
  /** The global L2 norm before clipping. */
  readonly norm: number;
  /** Whether the gradients were scaled. */
  readonly clipped: boolean;
  /**
   * The gradients to apply. When `clipped`, new tensors the caller disposes (the inputs are not
   * disposed); otherwise the very input map.
   */
  readonly gradients: ReadonlyMap<string, tf.Tensor>;
}

/** Read asynchronously: the webgpu backend cannot read a tensor synchronously in Node. */
export async function globalNorm(gradients: Iterable<tf.Tensor>): Promise<number> {
  const list = [...gradients];
  if (list.length === 0) return 0;
  const total = tf.tidy(() => tf.addN(list.map((gradient) => gradient.toFloat().square().sum())).sqrt());
  try {
    return (await total.data())[0] ?? 0;
  } finally {
    total.dispose();
  }
}

export async function clipByGlobalNorm(gradients: ReadonlyMap<string, tf.Tensor>, maxNorm: number): Promise<ClippedGradients> {
  if (!(maxNorm >= 0)) throw new Error(`max_grad_norm must be ≥ 0; got ${maxNorm}`);
  const norm = await globalNorm(gradients.values());
  const coefficient = maxNorm / (norm + 1e-6);
  // Scaling by exactly 1 changes nothing, so torch's multiply by the clamped coefficient is skipped then.
  if (maxNorm === 0 || !Number.isFinite(norm) || coefficient >= 1) return { norm, clipped: false, gradients };
  const clipped = new Map<string, tf.Tensor>();
  for (const [name, gradient] of gradients) clipped.set(name, tf.tidy(() => gradient.mul(coefficient)));
  return { norm, clipped: true, gradients: clipped };
}
