// The parts of a BERT classifier a training step needs: the logits of a token batch through the whole
// model, and the head alone (pooler + classifier) on cached [CLS] features when the encoder is frozen.
import * as tf from '@tensorflow/tfjs';
import { bertInputs, type BertForSequenceClassification } from '../../models/bert';
import type { TokenBatch } from '../../data/tokenBatches';

/** Logits of a token batch through the whole model (call inside tf.tidy). */
export function batchLogits(model: BertForSequenceClassification, batch: TokenBatch, training: boolean): tf.Tensor2D {
  return model.forward(bertInputs(batch), { training }).logits;
}

/** The final hidden state of [CLS] (the pooler's input) of a batch, encoder in evaluation mode (call inside tf.tidy). */
export function clsFeatures(model: BertForSequenceClassification, batch: TokenBatch): tf.Tensor2D {
  const hidden = model.config.hiddenSize;
  const state = model.forward(bertInputs(batch), { training: false }).lastHiddenState;
  return state.slice([0, 0, 0], [batch.batchSize, 1, hidden]).reshape([batch.batchSize, hidden]);
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
