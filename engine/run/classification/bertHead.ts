// The parts of a BERT classifier a training step needs: the loss of a token batch through the whole
// model, and the head alone (pooler + classifier) on cached [CLS] features when the encoder is frozen.
import * as tf from '@tensorflow/tfjs';
import type { BertForSequenceClassification } from '../../models/bert';
import type { TokenBatch } from '../../data/tokenBatches';
import type { TokenizedExamples } from '../../data/tokenizedExamples';
import { evaluationBatches } from '../../data/tokenBatches';

/** Mean softmax cross-entropy, as torch's CrossEntropyLoss. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logProbabilities = tf.logSoftmax(logits);
    const picked = logProbabilities.mul(tf.oneHot(labels, logits.shape[1])).sum(1);
    return picked.mean().neg() as tf.Scalar;
  });
}

export function batchInputs(batch: TokenBatch): { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D; tokenTypeIds: tf.Tensor2D } {
  const shape: [number, number] = [batch.batchSize, batch.sequenceLength];
  return {
    inputIds: tf.tensor2d(batch.inputIds, shape, 'int32'),
    attentionMask: tf.tensor2d(batch.attentionMask, shape, 'int32'),
    tokenTypeIds: tf.tensor2d(batch.tokenTypeIds, shape, 'int32'),
  };
}

/** Logits of a token batch through the whole model (call inside tf.tidy). */
export function batchLogits(model: BertForSequenceClassification, batch: TokenBatch, training: boolean): tf.Tensor2D {
  return model.forward(batchInputs(batch), { training }).logits;
}

/**
 * The head on the final hidden state of [CLS] (the pooler's input): tanh(dense) → dropout →
 * classifier, exactly what `BertForSequenceClassification.forward` does above the encoder.
 */
export function headLogits(model: BertForSequenceClassification, cls: tf.Tensor2D, training: boolean): tf.Tensor2D {
  return tf.tidy(() => {
    const variable = (name: string): tf.Tensor2D => model.variables.get(name) as tf.Tensor2D;
    const pooled = tf.tanh(tf.matMul(cls, variable('bert.pooler.dense.weight')).add(variable('bert.pooler.dense.bias')));
    const rate = model.config.classifierDropout;
    const dropped = training && rate > 0 ? (tf.dropout(pooled, rate) as tf.Tensor2D) : pooled;
    return tf.matMul(dropped, variable('classifier.weight')).add(variable('classifier.bias'));
  });
}

/**
 * The final hidden state of [CLS] for every example, in example order, computed once with the
 * encoder in evaluation mode (no dropout): a frozen encoder gives the same features every epoch.
 * Row-major [count, hidden].
 */
export function encodeClsFeatures(model: BertForSequenceClassification, examples: TokenizedExamples, batchSize: number): Float32Array {
  const hidden = model.config.hiddenSize;
  const features = new Float32Array(examples.count * hidden);
  for (const batch of evaluationBatches(examples, batchSize)) {
    const cls = tf.tidy(() => {
      const state = model.forward(batchInputs(batch), { training: false }).lastHiddenState;
      return state.slice([0, 0, 0], [batch.batchSize, 1, hidden]).reshape([batch.batchSize, hidden]);
    });
    const values = cls.dataSync();
    cls.dispose();
    batch.exampleIndices.forEach((example, row) => features.set(values.subarray(row * hidden, (row + 1) * hidden), example * hidden));
  }
  return features;
}

/** Rows `indices` of cached features as a [rows, hidden] tensor. */
export function featureRows(features: Float32Array, hidden: number, indices: ArrayLike<number>): tf.Tensor2D {
  const rows = new Float32Array(indices.length * hidden);
  for (let row = 0; row < indices.length; row++) {
    const example = indices[row]!;
    rows.set(features.subarray(example * hidden, (example + 1) * hidden), row * hidden);
  }
  return tf.tensor2d(rows, [indices.length, hidden]);
}
