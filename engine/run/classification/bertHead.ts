// The parts of a BERT-family classifier a training step needs: the logits of a token batch through the
// whole model, and the head alone on cached first-token features when the encoder is frozen.
import type * as tf from '@tensorflow/tfjs';
import { encoderInputs, type EncoderClassifier } from '../../models/encoderClassifier';
import type { TokenBatch } from '../../data/tokenBatches';

/** Logits of a token batch through the whole model (call inside tf.tidy). */
export function batchLogits(model: EncoderClassifier, batch: TokenBatch, training: boolean): tf.Tensor2D {
  return model.forward(encoderInputs(batch), { training }).logits;
}

/** The final hidden state of the first token ([CLS] / <s>, the head's input) of a batch, encoder in evaluation mode (call inside tf.tidy). */
export function clsFeatures(model: EncoderClassifier, batch: TokenBatch): tf.Tensor2D {
  const hidden = model.config.hiddenSize;
  const state = model.forward(encoderInputs(batch), { training: false }).lastHiddenState;
  return state.slice([0, 0, 0], [batch.batchSize, 1, hidden]).reshape([batch.batchSize, hidden]);
}

/** The architecture's head on the first token's final hidden state, exactly what `forward` does above the encoder (call inside tf.tidy). */
export function headLogits(model: EncoderClassifier, cls: tf.Tensor2D, training: boolean): tf.Tensor2D {
  return model.classify(cls, training).logits;
}
