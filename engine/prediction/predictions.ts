// Class probabilities as the protocol and the CLI give them: the most probable label, then every class.
import type { ClassifierPrediction } from '../../common/protocol/engine';

/** Index of the largest value (the first on ties, as argmax does). */
export function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

export function predictionsOf(labels: readonly string[], probabilities: readonly Float32Array[]): ClassifierPrediction[] {
  return probabilities.map((row) => ({
    label: labels[argMax(row)]!,
    probabilities: Array.from(row),
  }));
}
