/**
 * Classification metrics from label ids 0…K−1, as scikit-learn computes them with
 * `zero_division=0`: a precision, recall or F1 whose denominator is 0 is 0 (no NaN, no warning).
 * Pure.
 *
 * Macro-F1 averages the per-class F1 over the classes that occur in the true or the predicted labels
 * (sklearn's `f1_score(average='macro')` with `labels=None`); a class absent from both does not pull
 * the average down. The per-class table lists every class, absent ones with support 0.
 */

/** Counts with rows = true class, columns = predicted class (sklearn's `confusion_matrix`). */
export type ConfusionMatrix = number[][];

export interface ClassMetrics {
  readonly id: number;
  /** The class name, when names were given. */
  readonly label?: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Examples whose true class this is. */
  readonly support: number;
}

export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly macroF1: number;
  /** F1 of all decisions pooled; for single-label data it equals the accuracy. */
  readonly microF1: number;
  readonly perClass: readonly ClassMetrics[];
  readonly confusionMatrix: ConfusionMatrix;
  readonly count: number;
}

export function confusionMatrix(trueIds: ArrayLike<number>, predictedIds: ArrayLike<number>, classCount: number): ConfusionMatrix {
  if (!Number.isInteger(classCount) || classCount < 1) throw new Error(`class count must be a whole number ≥ 1; got ${classCount}`);
  if (trueIds.length !== predictedIds.length) throw new Error(`${trueIds.length} true labels but ${predictedIds.length} predictions`);
  const matrix = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let index = 0; index < trueIds.length; index++) {
    const truth = trueIds[index] as number;
    const predicted = predictedIds[index] as number;
    for (const id of [truth, predicted]) {
      if (!Number.isInteger(id) || id < 0 || id >= classCount) throw new Error(`label id ${id} is outside 0…${classCount - 1}`);
    }
    matrix[truth]![predicted]!++;
  }
  return matrix;
}

/** Every metric from a confusion matrix; `labels[i]` names class i. */
export function metricsFromConfusionMatrix(matrix: ConfusionMatrix, labels?: readonly string[]): ClassificationMetrics {
  const classCount = matrix.length;
  if (labels !== undefined && labels.length !== classCount) throw new Error(`${labels.length} label names for ${classCount} classes`);
  const cell = (row: number, column: number): number => matrix[row]?.[column] ?? 0;
  const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator);
  let count = 0;
  let correct = 0;
  const perClass: ClassMetrics[] = [];
  const present: number[] = [];
  for (let id = 0; id < classCount; id++) {
    const truePositives = cell(id, id);
    let support = 0;
    let predicted = 0;
    for (let other = 0; other < classCount; other++) {
      support += cell(id, other);
      predicted += cell(other, id);
    }
    count += support;
    correct += truePositives;
    const precision = ratio(truePositives, predicted);
    const recall = ratio(truePositives, support);
    // 2·TP / (2·TP + FP + FN): equals 2PR/(P+R), and is 0 (zero_division) when TP + FP + FN = 0.
    const f1 = ratio(2 * truePositives, support + predicted);
    perClass.push({ id, ...(labels !== undefined ? { label: labels[id] } : {}), precision, recall, f1, support });
    if (support + predicted > 0) present.push(f1);
  }
  if (count === 0) throw new Error('no examples to compute metrics on');
  const macroF1 = present.reduce((sum, f1) => sum + f1, 0) / present.length;
  return { accuracy: correct / count, macroF1, microF1: correct / count, perClass, confusionMatrix: matrix.map((row) => [...row]), count };
}

export function classificationMetrics(
  trueIds: ArrayLike<number>,
  predictedIds: ArrayLike<number>,
  classCount: number,
  labels?: readonly string[],
): ClassificationMetrics {
  return metricsFromConfusionMatrix(confusionMatrix(trueIds, predictedIds, classCount), labels);
}
