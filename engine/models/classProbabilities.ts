// Texts in, class probabilities out (each label's own sigmoid for multi-label models), for any classifier that gives logits of a token batch: tokenised
// as in training, batched by length with dynamic padding, softmax, back in the texts' order.
import * as tf from '@tensorflow/tfjs';
import type { TokenBatch } from '../data/tokenBatches';
import { evaluationBatches } from '../data/tokenBatches';
import { tokenizeExamples, type BatchTokenizer } from '../data/tokenizedExamples';
import type { Decision } from './decision';

export interface ClassProbabilitiesOptions {
  readonly maxLength: number;
  readonly batchSize: number;
  readonly classCount: number;
  /** Multi-label models: a sigmoid per label instead of a softmax over them. */
  readonly decision?: Decision;
}

/** `logitsOf` runs inside tf.tidy. */
export async function classProbabilities(
  texts: readonly string[],
  tokenizer: BatchTokenizer,
  { maxLength, batchSize, classCount, decision }: ClassProbabilitiesOptions,
  logitsOf: (batch: TokenBatch) => tf.Tensor2D,
): Promise<Float32Array[]> {
  const examples = tokenizeExamples(
    texts.map((text) => ({ text, labelIds: [0] })),
    tokenizer,
    { maxLength },
  );
  const result = new Array<Float32Array>(texts.length);
  for (const batch of evaluationBatches(examples, batchSize)) {
    const probabilities = tf.tidy(() => (decision?.multiLabel ? tf.sigmoid(logitsOf(batch)) : tf.softmax(logitsOf(batch))));
    const values = (await probabilities.data().finally(() => probabilities.dispose())) as Float32Array;
    batch.exampleIndices.forEach((example, row) => (result[example] = values.slice(row * classCount, (row + 1) * classCount)));
  }
  return result;
}
