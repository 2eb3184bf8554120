// Texts in, logits out, for any runtime that gives the logits of a token batch (TensorFlow.js,
// onnxruntime): tokenised as in training, batched by length with dynamic padding, back in the texts'
// order. The scores and probabilities of those logits are training/classifierScores.ts's.
import * as tf from '@tensorflow/tfjs';
import type { TokenBatch } from '../data/tokenBatches';
import { evaluationBatches } from '../data/tokenBatches';
import { tokenizeExamples, type BatchTokenizer } from '../data/tokenizedExamples';

export interface ClassLogitsOptions {
  readonly maxLength: number;
  readonly batchSize: number;
  readonly classCount: number;
}

/** The logits of a batch, row-major [batch × classes] in the batch's row order. */
export type BatchLogits = (batch: TokenBatch) => Promise<Float32Array>;

export async function classLogits(texts: readonly string[], tokenizer: BatchTokenizer, { maxLength, batchSize, classCount }: ClassLogitsOptions, logitsOf: BatchLogits): Promise<Float32Array[]> {
  const examples = tokenizeExamples(
    texts.map((text) => ({ text, labelIds: [0] })),
    tokenizer,
    { maxLength },
  );
  const result = new Array<Float32Array>(texts.length);
  for (const batch of evaluationBatches(examples, batchSize)) {
    const values = await logitsOf(batch);
    batch.exampleIndices.forEach((example, row) => (result[example] = values.slice(row * classCount, (row + 1) * classCount)));
  }
  return result;
}

/** A TensorFlow.js model's logits of a batch (`logitsOf` runs inside tf.tidy). */
export function tensorLogits(logitsOf: (batch: TokenBatch) => tf.Tensor2D): BatchLogits {
  return (batch) => readLogits(() => logitsOf(batch));
}

/** Computes logits inside tf.tidy and reads them back asynchronously (as WebGPU needs), freeing the tensor. */
export async function readLogits(logitsOf: () => tf.Tensor2D): Promise<Float32Array> {
  const logits = tf.tidy(logitsOf);
  return (await logits.data().finally(() => logits.dispose())) as Float32Array;
}
