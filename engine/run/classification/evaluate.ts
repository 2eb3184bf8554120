// Validation: mean loss and every classification metric, through the whole model or, while the layers
// below the head are frozen, through the head on cached features (the same numbers, far faster).
import * as tf from '@tensorflow/tfjs';
import { evaluationBatches } from '../../data/tokenBatches';
import type { TokenizedExamples } from '../../data/tokenizedExamples';
import { planSortedBatches } from '../../data/lengthBuckets';
import { addToConfusionMatrix, emptyConfusionMatrix, metricsFromConfusionMatrix, type ClassificationMetrics } from '../../training/classificationMetrics';
import type { ClassifierModel } from './classifierModel';
import { crossEntropy } from './crossEntropy';
import { featureRows } from './frozenFeatures';

export interface Evaluation {
  readonly loss: number;
  readonly metrics: ClassificationMetrics;
}

export async function evaluateClassifier(
  model: ClassifierModel,
  examples: TokenizedExamples,
  batchSize: number,
  labels: readonly string[],
  /** [count, frozenFeatures.size] features of `examples` when the layers below the head are frozen. */
  cached?: Float32Array,
): Promise<Evaluation> {
  const matrix = emptyConfusionMatrix(labels.length);
  let lossSum = 0;
  const score = async (indices: Int32Array, labelIds: Int32Array, logitsOf: () => tf.Tensor2D): Promise<void> => {
    const { loss, predicted } = tf.tidy(() => {
      const logits = logitsOf();
      return { loss: crossEntropy(logits, tf.tensor1d(labelIds, 'int32')), predicted: logits.argMax(1) };
    });
    try {
      const [lossValue, predictedIds] = await Promise.all([loss.data(), predicted.data()]);
      lossSum += (lossValue[0] ?? Number.NaN) * indices.length;
      addToConfusionMatrix(matrix, labelIds, predictedIds);
    } finally {
      loss.dispose();
      predicted.dispose();
    }
  };
  if (cached !== undefined) {
    const { size } = model.frozenFeatures;
    for (const indices of planSortedBatches(examples.lengths, batchSize)) {
      const labelIds = Int32Array.from(indices, (example) => examples.labels[example]!);
      await score(indices, labelIds, () => model.frozenFeatures.head(featureRows(cached, size, indices), false));
    }
  } else {
    for (const batch of evaluationBatches(examples, batchSize)) await score(batch.exampleIndices, batch.labels, () => model.logits(batch, false));
  }
  return { loss: lossSum / examples.count, metrics: metricsFromConfusionMatrix(matrix, labels) };
}
