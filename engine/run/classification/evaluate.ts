// Validation of a TensorFlow.js classifier: its logits through the whole model or, while the layers
// below the head are frozen, through the head on cached features (the same numbers, far faster),
// scored by scoreLogits (training/classifierScores.ts), as `eval` scores a file.
import type * as tf from '@tensorflow/tfjs';
import { evaluationBatches } from '../../data/tokenBatches';
import type { TokenizedExamples } from '../../data/tokenizedExamples';
import { planSortedBatches } from '../../data/lengthBuckets';
import type { ClassifierModel } from './classifierModel';
import { featureRows } from './frozenFeatures';
import { readLogits } from '../../models/classLogits';
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
    const values = await readLogits(logitsOf);
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
