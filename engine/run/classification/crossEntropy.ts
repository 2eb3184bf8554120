import * as tf from '@tensorflow/tfjs';

/** Mean softmax cross-entropy, as torch's CrossEntropyLoss. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logProbabilities = tf.logSoftmax(logits);
    const picked = logProbabilities.mul(tf.oneHot(labels, logits.shape[1])).sum(1);
    return picked.mean().neg() as tf.Scalar;
  });
}
