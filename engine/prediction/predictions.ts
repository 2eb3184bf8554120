// Class probabilities as the protocol and the CLI give them: the most probable label (and, for a
// multi-label model, every label over its threshold), then every class.
import type { ClassifierPrediction } from '../../common/protocol/engine';
import { SINGLE_LABEL, type Decision } from '../models/decision';

/** Index of the largest value (the first on ties, as argmax does). */
export function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Multi-label decisions: the labels whose probability reaches the threshold, in label order. */
export function labelsOver(labels: readonly string[], probabilities: ArrayLike<number>, threshold: number): string[] {
  return labels.filter((_, i) => probabilities[i]! >= threshold);
}

export function predictionsOf(labels: readonly string[], probabilities: readonly Float32Array[], decision: Decision = SINGLE_LABEL): ClassifierPrediction[] {
  return probabilities.map((row) => ({
    label: labels[argMax(row)]!,
    probabilities: Array.from(row),
    ...(decision.multiLabel ? { labels: labelsOver(labels, row, decision.threshold) } : {}),
  }));
}
