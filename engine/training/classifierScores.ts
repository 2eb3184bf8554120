// The one place a classifier's outputs are scored: the loss definitions (softmax cross-entropy, and
// binary cross-entropy per label for multi-label models), the probabilities predictions show, the
// multi-label threshold and every metric. Validation during training (tensorTraining, sparseTraining)
// and `nlp-studio eval` / "Evaluate model" (prediction/evaluateClassifier.ts) both score logits here,
// so a run's validation report and `eval` on its validation file agree. Losses are computed from the
// logits in float64 (log-sum-exp, and log1p for the binary case), so no probability needs clamping.
// crossEntropy.ts states the same two losses on tensors, for the gradients the trainer steps on. Pure.
import type { Decision } from '../models/decision';
import { classificationMetrics, type ClassificationMetrics } from './classificationMetrics';
import { multiLabelMetrics, type MultiLabelMetrics } from './multiLabelMetrics';

export interface Evaluation {
  readonly loss: number;
  /** Single-label metrics have a confusion matrix; multi-label ones a threshold. */
  readonly metrics: ClassificationMetrics | MultiLabelMetrics;
  /** Multi-label data: the sigmoid probabilities [count × labels], for tuning the threshold. */
  readonly probabilities?: Float32Array;
}

/** The true labels of scored examples: a class id each, and for multi-label data 0/1 targets [count × labels]. */
export interface ScoredTruth {
  readonly count: number;
  readonly labels: ArrayLike<number>;
  readonly targets?: ArrayLike<number>;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** −log σ(x) for a label present (target 1), −log(1 − σ(x)) for one absent, without overflow. */
function binaryCrossEntropy(x: number, target: number): number {
  return Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0) - x * target;
}

/** Index of the largest logit of a row (the first on ties, as argmax does). */
function argMaxOf(logits: ArrayLike<number>, start: number, classes: number): number {
  let best = 0;
  for (let l = 1; l < classes; l++) if (logits[start + l]! > logits[start + best]!) best = l;
  return best;
}

/** −log softmax(row)[label], by log-sum-exp around the largest logit. */
function softmaxCrossEntropy(logits: ArrayLike<number>, start: number, classes: number, label: number): number {
  const best = argMaxOf(logits, start, classes);
  let total = 0;
  for (let l = 0; l < classes; l++) total += Math.exp(logits[start + l]! - logits[start + best]!);
  return Math.log(total) + logits[start + best]! - logits[start + label]!;
}

/** The probabilities of one row of logits: a softmax over the classes, or each label's sigmoid (multi-label). */
export function probabilitiesOf(logits: ArrayLike<number>, decision: Decision): Float32Array {
  if (decision.multiLabel) return Float32Array.from(logits, sigmoid);
  const largest = logits[argMaxOf(logits, 0, logits.length)]!;
  const exp = Array.from(logits, (value) => Math.exp(value - largest));
  const sum = exp.reduce((a, b) => a + b, 0);
  return Float32Array.from(exp, (value) => value / sum);
}

/** Scores `logits` ([count × labels], in example order) against the examples' true labels. */
export function scoreLogits(logits: Float32Array, truth: ScoredTruth, labels: readonly string[], decision: Decision): Evaluation {
  const classes = labels.length;
  const { count } = truth;
  if (logits.length !== count * classes) throw new Error(`${logits.length} logits for ${count} examples of ${classes} labels`);
  let lossSum = 0;
  if (decision.multiLabel) {
    const targets = truth.targets;
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
    lossSum += softmaxCrossEntropy(logits, example * classes, classes, truth.labels[example]!);
    predicted[example] = argMaxOf(logits, example * classes, classes);
  }
  return { loss: lossSum / count, metrics: classificationMetrics(truth.labels, predicted, classes, labels) };
}
