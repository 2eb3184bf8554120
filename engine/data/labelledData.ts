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
  readonly labelId: number;
  readonly file: string;
  readonly line: number;
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
  readonly train: LabelledExample[];
  readonly validation: LabelledExample[];
  readonly labels: LabelMap;
  /** Where validation came from: a file, a split of train, or nowhere (neither is set). */
  readonly validationFrom: 'file' | 'split' | 'none';
  readonly badLines: BadLineLog;
}

export async function loadLabelledData({ data, seed, onBadLine, labels: givenLabels }: LabelledDataOptions): Promise<LabelledData> {
  const badLines = new BadLineLog(data.bad_lines ?? 'skip', onBadLine);
  const rowOptions: LabelledRowOptions = { format: data.format, textColumn: data.text_column ?? 'text', labelColumn: data.label_column ?? 'label' };
  const trainRows: LabelledRow[] = [];
  for (const file of data.train) {
    for await (const row of readLabelledRows(file, rowOptions, badLines)) trainRows.push(row);
  }
  if (trainRows.length === 0) throw new DataError(`no labelled examples in ${data.train.join(', ')}`, undefined, ['data', 'train']);
  const occurring = new Set(trainRows.map((row) => row.label));
  if (givenLabels === undefined && occurring.size < 2) {
    throw new DataError(`${data.train.join(', ')} has one class ("${[...occurring][0] ?? ''}"): a classifier needs at least two`, undefined, ['data', 'label_column']);
  }
  const labels = givenLabels ?? LabelMap.fromLabels(occurring);
  const known = (row: LabelledRow, source: string, key: 'train' | 'validation'): LabelledExample => {
    const labelId = labels.idOf(row.label);
    if (labelId === undefined) {
      throw new DataError(`label "${row.label}" does not occur in ${source} (its labels: ${labels.names.join(', ')})`, { file: row.file, line: row.line }, ['data', key]);
    }
    return { text: row.text, labelId, file: row.file, line: row.line };
  };
  const labelSource = givenLabels === undefined ? 'the training data' : 'the given label map';
  const all = trainRows.map((row) => known(row, labelSource, 'train'));
  if (data.validation !== undefined) {
    const validation: LabelledExample[] = [];
    for await (const row of readLabelledRows(data.validation, rowOptions, badLines)) validation.push(known(row, labelSource, 'validation'));
    return { train: all, validation, labels, validationFrom: 'file', badLines };
  }
  if (data.validation_split !== undefined) {
    const { train, validation } = stratifiedSplit(all, (example) => example.labelId, data.validation_split, seed);
    if (validation.length === 0) throw new DataError(`validation_split ${data.validation_split} holds out no example of the ${all.length}`, undefined, ['data', 'validation_split']);
    return { train, validation, labels, validationFrom: 'split', badLines };
  }
  return { train: all, validation: [], labels, validationFrom: 'none', badLines };
}
