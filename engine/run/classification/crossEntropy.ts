// The two losses of training/classifierScores.ts on tensors, for the gradients a training step takes;
// classifier-scores.test.ts holds the two forms equal.
import * as tf from '@tensorflow/tfjs';

/** Mean softmax cross-entropy, as torch's CrossEntropyLoss. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logProbabilities = tf.logSoftmax(logits);
    const picked = logProbabilities.mul(tf.oneHot(labels, logits.shape[1])).sum(1);
    return picked.mean().neg() as tf.Scalar;
  });
}

/** Mean binary cross-entropy over every (example, label), as torch's BCEWithLogitsLoss (multi-label). */
export function binaryCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    // log(1 + e^−|x|) + max(x, 0) − x·y: stable for any x
    const losses = tf.log1p(tf.exp(logits.abs().neg())).add(tf.relu(logits)).sub(logits.mul(targets));
    return losses.mean<tf.Scalar>();
  });
}
