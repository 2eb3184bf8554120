// Labelled examples from one CSV/TSV/JSONL file, streamed, each with the file:line it came from.
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { DELIMITERS, headerColumns } from '../../common/data/dataHeader';
import { dataFormatOf, type DataFormat } from '../../common/data/dataFormat';
import { readDelimitedRecords } from '../../common/data/delimitedRecords';
import { readDelimitedRecord, readJsonRecord, type LabelledColumns } from '../../common/data/labelledRecords';
import { readTextChunks, UnreadableTextError } from '../../common/data/textFile';
import { fileErrorReason } from '../io/fileErrors';
import type { BadLineLog } from './badLines';
import { DataError } from './dataError';

/**
 * An example as written in the file: each label is a class name or the decimal text of an integer id.
 * Single-label data has exactly one; multi-label data any number (none is a valid example).
 */
export interface LabelledRow {
  readonly text: string;
  readonly labels: readonly string[];
  readonly file: string;
  readonly line: number;
}

export interface LabelledRowOptions {
  /** `data.format`; inferred from the extension when absent. */
  readonly format?: DataFormat;
  readonly textColumn: string;
  readonly labelColumn: string;
  /**
   * `data.multi_label`: the label column holds the row's labels joined by this separator (CSV/TSV;
   * `data.label_separator`), or a JSON list of them (JSONL). Absent: one label per row.
   */
  readonly labelSeparator?: string;
}

/** Rows of a labelled file; unreadable lines go to `badLines` (which throws when they are fatal). */
export async function* readLabelledRows(file: string, options: LabelledRowOptions, badLines: BadLineLog): AsyncGenerator<LabelledRow> {
  const format = dataFormatOf(file, options.format);
  try {
    if (format === 'jsonl') yield* jsonlRows(file, options, badLines);
    else if (format === 'csv' || format === 'tsv') yield* delimitedRows(file, DELIMITERS[format], options, badLines);
    else throw new DataError('a plain-text file holds no labels: labelled data must be CSV, TSV or JSONL (set data.format when the extension does not say)', { file }, ['data', 'format']);
  } catch (error) {
    if (error instanceof UnreadableTextError) throw new DataError(`cannot be read as text: ${error.reason}`, { file }, ['data', 'train']);
    const reason = fileErrorReason(error);
    if (reason !== undefined) throw new DataError(`cannot read the data file: ${reason}`, { file }, ['data', 'train']);
    throw error;
  }
}

async function* delimitedRows(file: string, delimiter: string, options: LabelledRowOptions, badLines: BadLineLog): AsyncGenerator<LabelledRow> {
  const records = readDelimitedRecords(file, delimiter);
  const first = await records.next();
  if (first.done === true) return;
  const header = headerColumns(first.value);
  const columnAt = (name: string, key: string): number => {
    const at = header.indexOf(name);
    if (at < 0) throw new DataError(`no column "${name}" in the header (${header.join(', ')})`, { file, line: first.value.line }, ['data', key]);
    return at;
  };
  const columns: LabelledColumns = {
    textColumn: options.textColumn,
    labelColumn: options.labelColumn,
    textAt: columnAt(options.textColumn, 'text_column'),
    labelAt: columnAt(options.labelColumn, 'label_column'),
    labelSeparator: options.labelSeparator,
    width: header.length,
  };
  for await (const record of records) {
    const reading = readDelimitedRecord(record, columns);
    if ('bad' in reading) badLines.report(file, record.line, reading.bad);
    else yield { ...reading, file, line: record.line };
  }
}

async function* jsonlRows(file: string, options: LabelledRowOptions, badLines: BadLineLog): AsyncGenerator<LabelledRow> {
  const lines = createInterface({ input: Readable.from(readTextChunks(file)), crlfDelay: Infinity });
  let line = 0;
  for await (const source of lines) {
    line++;
    const reading = readJsonRecord(source, options.textColumn, options.labelColumn, options.labelSeparator);
    if (reading === undefined) continue;
    if ('bad' in reading) badLines.report(file, line, reading.bad);
    else yield { ...reading, file, line };
  }
}
