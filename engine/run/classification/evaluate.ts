// Validation of a TensorFlow.js classifier: its logits through the whole model or, while the layers
// below the head are frozen, through the head on cached features (the same numbers, far faster),
// scored by scoreLogits. Logits are read back asynchronously, as the WebGPU backend needs.
import * as tf from '@tensorflow/tfjs';
import { evaluationBatches } from '../../data/tokenBatches';
import type { TokenizedExamples } from '../../data/tokenizedExamples';
import { planSortedBatches } from '../../data/lengthBuckets';
import type { ClassifierModel } from './classifierModel';
import { featureRows } from './frozenFeatures';
import type { Decision } from '../../models/decision';
import { scoreLogits, type Evaluation } from '../../training/classifierScores';

export async function evaluateClassifier(
  model: ClassifierModel,
  examples: TokenizedExamples,
  batchSize: number,
  labels: readonly string[],
  decision: Decision,
  /** [count, frozenFeatures.size] features of `examples` when the layers below the head are frozen. */
  cached?: Float32Array,
): Promise<Evaluation> {
  const classes = labels.length;
  const logits = new Float32Array(examples.count * classes);
  const keep = async (indices: ArrayLike<number>, logitsOf: () => tf.Tensor2D): Promise<void> => {
    const computed = tf.tidy(logitsOf);
    const values = (await computed.data().finally(() => computed.dispose())) as Float32Array;
    for (let row = 0; row < indices.length; row++) logits.set(values.subarray(row * classes, (row + 1) * classes), indices[row]! * classes);
  };
  if (cached !== undefined) {
    const { size } = model.frozenFeatures;
    for (const indices of planSortedBatches(examples.lengths, batchSize)) await keep(indices, () => model.frozenFeatures.head(featureRows(cached, size, indices), false));
  } else {
    for (const batch of evaluationBatches(examples, batchSize)) await keep(batch.exampleIndices, () => model.logits(batch, false));
  }
  return scoreLogits(logits, examples, labels, decision);
}
