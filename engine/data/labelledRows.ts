// Labelled examples from one CSV/TSV/JSONL file, streamed, each with the file:line it came from.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { BadLineLog } from './badLines';
import { dataFormatOf, type DataFormat } from './dataFormat';
import { DataError } from './dataError';
import { readDelimitedRecords } from './delimitedRecords';

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

/** The labels of one label cell: one (single-label), or the separated list with blanks dropped. */
function labelsOf(cell: string, separator: string | undefined): string[] {
  if (separator === undefined) return [cell.trim()];
  return [...new Set(cell.split(separator).map((label) => label.trim()).filter((label) => label !== ''))];
}

/** Rows of a labelled file; unreadable lines go to `badLines` (which throws when they are fatal). */
export async function* readLabelledRows(file: string, options: LabelledRowOptions, badLines: BadLineLog): AsyncGenerator<LabelledRow> {
  const format = dataFormatOf(file, options.format);
  try {
    if (format === 'jsonl') yield* jsonlRows(file, options, badLines);
    else if (format === 'csv' || format === 'tsv') yield* delimitedRows(file, format === 'csv' ? ',' : '\t', options, badLines);
    else throw new DataError('a plain-text file holds no labels: labelled data must be CSV, TSV or JSONL (set data.format when the extension does not say)', { file }, ['data', 'format']);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new DataError(`cannot read the data file (${(error as Error).message})`, { file }, ['data', 'train']);
    }
    throw error;
  }
}

async function* delimitedRows(file: string, delimiter: string, options: LabelledRowOptions, badLines: BadLineLog): AsyncGenerator<LabelledRow> {
  const records = readDelimitedRecords(file, delimiter);
  const first = await records.next();
  if (first.done === true) return;
  const header = first.value.fields.map((name) => name.trim());
  const columnAt = (name: string, key: string): number => {
    const at = header.indexOf(name);
    if (at < 0) throw new DataError(`no column "${name}" in the header (${header.join(', ')})`, { file, line: first.value.line }, ['data', key]);
    return at;
  };
  const textAt = columnAt(options.textColumn, 'text_column');
  const labelAt = columnAt(options.labelColumn, 'label_column');
  for await (const record of records) {
    const { line, fields } = record;
    if (record.unterminatedQuote) badLines.report(file, line, 'a quoted field is not closed before the end of the file');
    else if (fields.length !== header.length) badLines.report(file, line, `${fields.length} fields, the header has ${header.length}`);
    else if (fields[textAt]!.trim() === '') badLines.report(file, line, `empty text in column "${options.textColumn}"`);
    else if (options.labelSeparator === undefined && fields[labelAt]!.trim() === '') badLines.report(file, line, `no label in column "${options.labelColumn}"`);
    else yield { text: fields[textAt]!, labels: labelsOf(fields[labelAt]!, options.labelSeparator), file, line };
  }
}

async function* jsonlRows(file: string, options: LabelledRowOptions, badLines: BadLineLog): AsyncGenerator<LabelledRow> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of lines) {
    line++;
    const source = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (source.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      badLines.report(file, line, `invalid JSON (${(error as Error).message})`);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      badLines.report(file, line, 'not a JSON object');
      continue;
    }
    const record = value as Record<string, unknown>;
    const text = record[options.textColumn];
    const labels = jsonLabels(record[options.labelColumn], options.labelSeparator);
    if (typeof text !== 'string' || text.trim() === '') badLines.report(file, line, `no text in field "${options.textColumn}"`);
    else if (labels === undefined) {
      const wanted = options.labelSeparator === undefined ? 'a class name or an integer id' : 'a list of class names or integer ids';
      badLines.report(file, line, `no label in field "${options.labelColumn}" (${wanted})`);
    } else yield { text, labels, file, line };
  }
}

/** A JSON label field: one label, or (multi-label) a list of them or a separated string. */
function jsonLabels(value: unknown, separator: string | undefined): string[] | undefined {
  if (separator === undefined) {
    const label = labelText(value);
    return label === undefined ? undefined : [label];
  }
  if (typeof value === 'string') return labelsOf(value, separator);
  if (!Array.isArray(value)) return undefined;
  const labels = value.map(labelText);
  return labels.every((label) => label !== undefined) ? [...new Set(labels)] : undefined;
}

/** A JSON label as text: a non-empty string, or an integer id written in decimal. */
function labelText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}
