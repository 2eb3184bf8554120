// Validation scores from a model's logits, whatever computed them (TensorFlow.js for BERT, the sparse
// kernel for word-vector classifiers): the mean loss the model trains on (softmax cross-entropy, or
// binary cross-entropy per label for multi-label data) and every metric. Pure.
import type { TokenizedExamples } from '../../data/tokenizedExamples';
import type { Decision } from '../../models/decision';
import { classificationMetrics, type ClassificationMetrics } from '../../training/classificationMetrics';
import { multiLabelMetrics, type MultiLabelMetrics } from '../../training/multiLabelMetrics';

export interface Evaluation {
  readonly loss: number;
  /** Single-label metrics have a confusion matrix; multi-label ones a threshold. */
  readonly metrics: ClassificationMetrics | MultiLabelMetrics;
  /** Multi-label data: the sigmoid probabilities [count × labels], for tuning the threshold. */
  readonly probabilities?: Float32Array;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** −log σ(x) for the label present, −log(1 − σ(x)) for the one absent, without overflow. */
function binaryCrossEntropy(x: number, target: number): number {
  return Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0) - x * target;
}

/** Scores `logits` ([count × labels], in example order) against the examples' targets. */
export function scoreLogits(logits: Float32Array, examples: Pick<TokenizedExamples, 'count' | 'labels' | 'targets'>, labels: readonly string[], decision: Decision): Evaluation {
  const classes = labels.length;
  const { count } = examples;
  if (logits.length !== count * classes) throw new Error(`${logits.length} logits for ${count} examples of ${classes} labels`);
  let lossSum = 0;
  if (decision.multiLabel) {
    const targets = examples.targets;
    if (targets === undefined) throw new Error('multi-label scoring needs the examples’ targets');
    const probabilities = new Float32Array(logits.length);
    for (let i = 0; i < logits.length; i++) {
      lossSum += binaryCrossEntropy(logits[i]!, targets[i]!) / classes;
      probabilities[i] = sigmoid(logits[i]!);
    }
    return { loss: lossSum / count, metrics: multiLabelMetrics(probabilities, targets, classes, decision.threshold, labels), probabilities };
  }
  const predicted = new Int32Array(count);
  for (let example = 0; example < count; example++) {
    const row = example * classes;
    let best = 0;
    for (let l = 1; l < classes; l++) if (logits[row + l]! > logits[row + best]!) best = l;
    let total = 0;
    for (let l = 0; l < classes; l++) total += Math.exp(logits[row + l]! - logits[row + best]!);
    lossSum += Math.log(total) + logits[row + best]! - logits[row + examples.labels[example]!]!;
    predicted[example] = best;
  }
  return { loss: lossSum / count, metrics: classificationMetrics(examples.labels, predicted, classes, labels) };
}
