// Features below a frozen part of the model, computed once per stage: a frozen encoder (or frozen
// embeddings) gives the same features every epoch, so only the head needs to run per step.
import * as tf from '@tensorflow/tfjs';
import { evaluationBatches } from '../../data/tokenBatches';
import type { TokenizedExamples } from '../../data/tokenizedExamples';
import type { FrozenFeatures } from './classifierModel';

/** The features of every example, in example order, row-major [count, size]; `onBatch` hears how many are done. */
export async function encodeFeatures(features: FrozenFeatures, examples: TokenizedExamples, batchSize: number, onBatch?: (encoded: number) => void): Promise<Float32Array> {
  const size = features.size;
  const all = new Float32Array(examples.count * size);
  let encodedCount = 0;
  for (const batch of evaluationBatches(examples, batchSize)) {
    const encoded = tf.tidy(() => features.encode(batch));
    const values = await encoded.data().finally(() => encoded.dispose());
    batch.exampleIndices.forEach((example, row) => all.set(values.subarray(row * size, (row + 1) * size), example * size));
    encodedCount += batch.exampleIndices.length;
    onBatch?.(encodedCount);
  }
  return all;
}

/** Rows `indices` of cached features as a [rows, size] tensor. */
export function featureRows(features: Float32Array, size: number, indices: ArrayLike<number>): tf.Tensor2D {
  const rows = new Float32Array(indices.length * size);
  for (let row = 0; row < indices.length; row++) {
    const example = indices[row]!;
    rows.set(features.subarray(example * size, (example + 1) * size), row * size);
  }
  return tf.tensor2d(rows, [indices.length, size]);
}
