// The labelled examples of a text-classification run: `data.train` (files, globs already expanded),
// validation from `data.validation` or a stratified `data.validation_split`, labels mapped to ids.
import type { Data } from '../../common/schema/config.generated';
import { BadLineLog, type BadLine } from './badLines';
import { DataError } from './dataError';
import { LabelMap } from './labelMap';
import { readLabelledRows, type LabelledRow, type LabelledRowOptions } from './labelledRows';
import { stratifiedSplit } from './stratifiedSplit';

export interface LabelledExample {
  readonly text: string;
  /** The class ids: exactly one for single-label data; any number, ascending, for multi-label data. */
  readonly labelIds: readonly number[];
  readonly file: string;
  readonly line: number;
}

/** The separator of multi-label cells when `data.multi_label` is on (`data.label_separator`), else undefined. */
export function labelSeparatorOf(data: Pick<Data, 'multi_label' | 'label_separator'>): string | undefined {
  return data.multi_label === true ? (data.label_separator ?? '|') : undefined;
}

/** `data` as a run resolves it: `train` lists absolute files, `validation` is absolute. */
export type LabelledDataSettings = Omit<Data, 'train'> & { readonly train: readonly string[] };

export interface LabelledDataOptions {
  readonly data: LabelledDataSettings;
  /** The run's seed, for `validation_split`. */
  readonly seed: number;
  /** Called for each skipped line (bad_lines: skip), e.g. to log it. */
  readonly onBadLine?: (bad: BadLine) => void;
  /** The classes to use instead of those of the training data, e.g. a model's id2label. */
  readonly labels?: LabelMap;
}

export interface LabelledData {
  /** `data.multi_label`: an example has any number of labels (sigmoid outputs, one per label). */
  readonly multiLabel: boolean;
  readonly train: LabelledExample[];
  readonly validation: LabelledExample[];
  readonly labels: LabelMap;
  /** Where validation came from: a file, a split of train, or nowhere (neither is set). */
  readonly validationFrom: 'file' | 'split' | 'none';
  readonly badLines: BadLineLog;
}

export async function loadLabelledData({ data, seed, onBadLine, labels: givenLabels }: LabelledDataOptions): Promise<LabelledData> {
  const badLines = new BadLineLog(data.bad_lines ?? 'skip', onBadLine);
  const labelSeparator = labelSeparatorOf(data);
  const multiLabel = labelSeparator !== undefined;
  const rowOptions: LabelledRowOptions = { format: data.format, textColumn: data.text_column ?? 'text', labelColumn: data.label_column ?? 'label', ...(multiLabel ? { labelSeparator } : {}) };
  const trainRows: LabelledRow[] = [];
  for (const file of data.train) {
    for await (const row of readLabelledRows(file, rowOptions, badLines)) trainRows.push(row);
  }
  if (trainRows.length === 0) throw new DataError(`no labelled examples in ${data.train.join(', ')}`, undefined, ['data', 'train']);
  const occurring = new Set(trainRows.flatMap((row) => row.labels));
  if (givenLabels === undefined && !multiLabel && occurring.size < 2) {
    throw new DataError(`${data.train.join(', ')} has one class ("${[...occurring][0] ?? ''}"): a classifier needs at least two`, undefined, ['data', 'label_column']);
  }
  const labels = givenLabels ?? LabelMap.fromLabels(occurring);
  const known = (row: LabelledRow, source: string, key: 'train' | 'validation'): LabelledExample => {
    const labelIds = row.labels.map((label) => {
      const labelId = labels.idOf(label);
      if (labelId === undefined) throw new DataError(`label "${label}" does not occur in ${source} (its labels: ${labels.names.join(', ')})`, { file: row.file, line: row.line }, ['data', key]);
      return labelId;
    });
    return { text: row.text, labelIds: labelIds.sort((a, b) => a - b), file: row.file, line: row.line };
  };
  const labelSource = givenLabels === undefined ? 'the training data' : 'the given label map';
  const all = trainRows.map((row) => known(row, labelSource, 'train'));
  if (data.validation !== undefined) {
    const validation: LabelledExample[] = [];
    for await (const row of readLabelledRows(data.validation, rowOptions, badLines)) validation.push(known(row, labelSource, 'validation'));
    return { multiLabel, train: all, validation, labels, validationFrom: 'file', badLines };
  }
  if (data.validation_split !== undefined) {
    // Multi-label examples are stratified by their first label (none: a stratum of their own).
    const { train, validation } = stratifiedSplit(all, (example) => example.labelIds[0] ?? labels.size, data.validation_split, seed);
    if (validation.length === 0) throw new DataError(`validation_split ${data.validation_split} holds out no example of the ${all.length}`, undefined, ['data', 'validation_split']);
    return { multiLabel, train, validation, labels, validationFrom: 'split', badLines };
  }
  return { multiLabel, train: all, validation: [], labels, validationFrom: 'none', badLines };
}
