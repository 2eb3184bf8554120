// The number a run is judged by, and its best and latest values over the epochs: a text classifier by
// its validation metric (the one the engine chose its best epoch by), anything without validation by
// its training loss. The header, the history rows and the comparison all read it from here.
import type { EpochRecord } from '../../common/protocol/panels';
import type { RunTask, ValidationMetricName } from '../../common/protocol/runEvents';
import { formatLoss, formatScore } from '../shared/format';

export type JudgedBy = ValidationMetricName | 'train_loss';

export interface MetricSpec {
  /** "Validation macro-F1" */
  label: string;
  /** "macro-F1", for narrow places (table cells, legends). */
  short: string;
  higherIsBetter: boolean;
  read: (record: EpochRecord) => number | undefined;
  format: (value: number) => string;
}

export const METRICS: Record<JudgedBy, MetricSpec> = {
  macro_f1: { label: 'Validation macro-F1', short: 'macro-F1', higherIsBetter: true, read: (r) => r.validation?.macroF1, format: formatScore },
  micro_f1: { label: 'Validation micro-F1', short: 'micro-F1', higherIsBetter: true, read: (r) => r.validation?.microF1, format: formatScore },
  accuracy: { label: 'Validation accuracy', short: 'accuracy', higherIsBetter: true, read: (r) => r.validation?.accuracy, format: formatScore },
  loss: { label: 'Validation loss', short: 'val. loss', higherIsBetter: false, read: (r) => r.validation?.loss, format: formatLoss },
  train_loss: { label: 'Training loss', short: 'train loss', higherIsBetter: false, read: (r) => r.trainLoss, format: formatLoss },
};

export interface EpochValue {
  value: number;
  epoch: number;
}

export interface Judgement {
  by: JudgedBy;
  spec: MetricSpec;
  best?: EpochValue;
  last?: EpochValue;
}

/**
 * What a run of `task` is judged by: its validation `metric` when it validates, else its training loss.
 * Before its first epoch a classifier that names a metric is taken to validate. A run that names none
 * comes from a version that did not record it, and chose its best epoch on macro-F1.
 */
export function judgedBy(task: RunTask | undefined, metric: ValidationMetricName | undefined, epochs: readonly EpochRecord[]): JudgedBy {
  const validates = epochs.length === 0 ? metric !== undefined : epochs.some((record) => record.validation !== undefined);
  return task !== 'word2vec' && validates ? (metric ?? 'macro_f1') : 'train_loss';
}

/** The best and last values; `bestEpoch` (summary.json's, which counts early stopping's min_delta) wins when given. */
export function judge(task: RunTask | undefined, metric: ValidationMetricName | undefined, epochs: readonly EpochRecord[], bestEpoch?: number): Judgement {
  const by = judgedBy(task, metric, epochs);
  const spec = METRICS[by];
  let best: EpochValue | undefined;
  let last: EpochValue | undefined;
  for (const record of epochs) {
    const value = spec.read(record);
    if (value === undefined || !Number.isFinite(value)) continue;
    last = { value, epoch: record.epoch };
    // Ties keep the earlier epoch, as the engine's early stopping does.
    if (!best || (spec.higherIsBetter ? value > best.value : value < best.value)) best = { value, epoch: record.epoch };
  }
  const chosen = epochs.find((record) => record.epoch === bestEpoch);
  const chosenValue = chosen && spec.read(chosen);
  if (chosen && chosenValue !== undefined) best = { value: chosenValue, epoch: chosen.epoch };
  return { by, spec, ...(best && { best }), ...(last && { last }) };
}
