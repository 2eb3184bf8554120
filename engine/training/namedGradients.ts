import * as tf from '@tensorflow/tfjs';

/**
 * The loss and the gradients of the given parameters, keyed by the names the model uses (Hugging
 * Face names) rather than by tfjs' internal variable names, which is what `AdamW` and
 * `clipByGlobalNorm` take. Only `parameters` receive gradients: the frozen ones are simply left out.
 * The caller disposes the loss and the gradients.
 */
export function namedGradients(
  loss: () => tf.Scalar,
  parameters: ReadonlyMap<string, tf.Variable>,
): { loss: tf.Scalar; gradients: Map<string, tf.Tensor> } {
  const { value, grads } = tf.variableGrads(loss, [...parameters.values()]);
  const gradients = new Map<string, tf.Tensor>();
  for (const [name, variable] of parameters) {
    const gradient = grads[variable.name];
    // tf.variableGrads leaves out a variable the loss does not depend on.
    if (gradient !== undefined) gradients.set(name, gradient);
  }
  return { loss: value, gradients };
}
