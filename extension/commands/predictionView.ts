// What a classifier's answer shows: the predicted label(s) after the selection and every class on hover.
// Pure (no vscode), so the wording is tested in one place.

/** The part of an answer the display reads. */
export interface ScoredAnswer {
  /** The most probable class. */
  label: string;
  /** Every class's probability. */
  probabilities: Record<string, number>;
  /** A multi-label model: the labels at or over its threshold. */
  multiLabel?: { labels: string[]; threshold: number };
}

export interface ClassRow {
  label: string;
  probability: number;
  /** "97.3%" */
  percent: string;
  /** Part of the prediction (bold in the hover). */
  predicted: boolean;
}

export interface PredictionView {
  /** After the selection: "spam 97.3%". */
  headline: string;
  /** Every class, most probable first. */
  rows: ClassRow[];
}

export const percent = (probability: number): string => `${(probability * 100).toFixed(1)}%`;

/** The classes the model predicts: the most probable one, or (multi-label) every label over its threshold. */
export function predictedLabels(answer: ScoredAnswer): string[] {
  return answer.multiLabel ? answer.multiLabel.labels : [answer.label];
}

export function predictionView(answer: ScoredAnswer): PredictionView {
  const predicted = new Set(predictedLabels(answer));
  const rows = Object.entries(answer.probabilities)
    .sort((a, b) => b[1] - a[1])
    .map(([label, probability]) => ({ label, probability, percent: percent(probability), predicted: predicted.has(label) }));
  const headline =
    predicted.size === 0 && answer.multiLabel
      ? `no label ≥ ${percent(answer.multiLabel.threshold)}`
      : rows
          .filter((row) => row.predicted)
          .map((row) => `${row.label} ${row.percent}`)
          .join(', ');
  return { headline, rows };
}
