/**
 * Multi-label metrics, as scikit-learn computes them on indicator matrices with `zero_division=0`: a
 * label is predicted when its probability reaches the threshold; per label precision, recall, F1 and
 * support; micro-F1 over all (example, label) decisions pooled; macro-F1 the mean of the labels' F1
 * (sklearn's `average='macro'`: every label counts); accuracy the exact-match (subset) accuracy.
 * Pure. The threshold can be tuned: the one of a grid that maximises micro-F1 on validation data.
 */
import type { ClassMetrics } from './classificationMetrics';

export interface MultiLabelMetrics {
  /** Examples whose predicted label set is exactly the true one. */
  readonly accuracy: number;
  readonly macroF1: number;
  readonly microF1: number;
  readonly perClass: readonly ClassMetrics[];
  readonly count: number;
  readonly threshold: number;
}

/** Thresholds `tuneThreshold` tries. */
export const THRESHOLD_GRID: readonly number[] = Array.from({ length: 19 }, (_, i) => Math.round((0.05 + 0.05 * i) * 100) / 100);

/** Counts per label: true positives, predicted, actual. */
class LabelCounts {
  readonly truePositives: Float64Array;
  readonly predicted: Float64Array;
  readonly actual: Float64Array;
  exact = 0;
  count = 0;

  constructor(classCount: number) {
    this.truePositives = new Float64Array(classCount);
    this.predicted = new Float64Array(classCount);
    this.actual = new Float64Array(classCount);
  }
}

function count(probabilities: ArrayLike<number>, targets: ArrayLike<number>, classCount: number, threshold: number): LabelCounts {
  const counts = new LabelCounts(classCount);
  const examples = targets.length / classCount;
  for (let example = 0; example < examples; example++) {
    let allRight = true;
    for (let label = 0; label < classCount; label++) {
      const at = example * classCount + label;
      const predicted = probabilities[at]! >= threshold;
      const actual = targets[at]! > 0;
      if (predicted) counts.predicted[label]!++;
      if (actual) counts.actual[label]!++;
      if (predicted && actual) counts.truePositives[label]!++;
      if (predicted !== actual) allRight = false;
    }
    if (allRight) counts.exact++;
    counts.count++;
  }
  return counts;
}

const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator);

/** Metrics of label probabilities [examples × classes] against 0/1 targets of the same shape. */
export function multiLabelMetrics(probabilities: ArrayLike<number>, targets: ArrayLike<number>, classCount: number, threshold: number, labels?: readonly string[]): MultiLabelMetrics {
  if (probabilities.length !== targets.length || targets.length % classCount !== 0) throw new Error(`${probabilities.length} probabilities for ${targets.length} targets of ${classCount} labels`);
  const counts = count(probabilities, targets, classCount, threshold);
  if (counts.count === 0) throw new Error('no examples to compute metrics on');
  const perClass: ClassMetrics[] = [];
  let truePositives = 0;
  let predicted = 0;
  let actual = 0;
  for (let id = 0; id < classCount; id++) {
    const tp = counts.truePositives[id]!;
    truePositives += tp;
    predicted += counts.predicted[id]!;
    actual += counts.actual[id]!;
    perClass.push({
      id,
      ...(labels !== undefined ? { label: labels[id] } : {}),
      precision: ratio(tp, counts.predicted[id]!),
      recall: ratio(tp, counts.actual[id]!),
      f1: ratio(2 * tp, counts.predicted[id]! + counts.actual[id]!),
      support: counts.actual[id]!,
    });
  }
  return {
    accuracy: counts.exact / counts.count,
    macroF1: perClass.reduce((sum, entry) => sum + entry.f1, 0) / classCount,
    microF1: ratio(2 * truePositives, predicted + actual),
    perClass,
    count: counts.count,
    threshold,
  };
}

/** The threshold of THRESHOLD_GRID with the best micro-F1 (the lowest on ties). */
export function tuneThreshold(probabilities: ArrayLike<number>, targets: ArrayLike<number>, classCount: number): { threshold: number; microF1: number } {
  let best = { threshold: 0.5, microF1: -1 };
  for (const threshold of THRESHOLD_GRID) {
    const { microF1 } = multiLabelMetrics(probabilities, targets, classCount, threshold);
    if (microF1 > best.microF1) best = { threshold, microF1 };
  }
  return best;
}
