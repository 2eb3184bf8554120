// One labelled example from one record of a data file, or the reason the record is a bad line: the
// rules the engine trains by and the editor's label checks read the same way.
import { DELIMITERS, headerColumns, type ColumnFormat } from './dataHeader';
import { parseDelimitedRecords, type DelimitedRecord } from './delimitedRecords';
import { labelsFromCell, labelsFromJson } from './labels';

export type TextReading = { readonly text: string } | { readonly bad: string };
export type RecordReading = { readonly text: string; readonly labels: string[] } | { readonly bad: string };

/** Where the text is in a CSV/TSV header (word2vec corpora have no label). */
export interface TextColumns {
  readonly textColumn: string;
  readonly textAt: number;
  /** The header's number of fields: every record must have as many. */
  readonly width: number;
}

/** Where the text and the label are in a CSV/TSV header. */
export interface LabelledColumns extends TextColumns {
  readonly labelColumn: string;
  readonly labelAt: number;
  /** Multi-label data's `data.label_separator`; absent for one label per row. */
  readonly labelSeparator?: string;
}

export function readTextRecord(record: DelimitedRecord, columns: TextColumns): TextReading {
  const { fields } = record;
  if (record.unterminatedQuote) return { bad: 'a quoted field is not closed before the end of the file' };
  if (fields.length !== columns.width) return { bad: `${fields.length} fields, the header has ${columns.width}` };
  const text = fields[columns.textAt]!;
  if (text.trim() === '') return { bad: `empty text in column "${columns.textColumn}"` };
  if (fields.some((field) => field.includes('\0'))) return { bad: 'it holds NUL bytes (binary data?)' };
  return { text };
}

export function readDelimitedRecord(record: DelimitedRecord, columns: LabelledColumns): RecordReading {
  const reading = readTextRecord(record, columns);
  if ('bad' in reading) return reading;
  const labels = labelsFromCell(record.fields[columns.labelAt]!, columns.labelSeparator);
  return labels === undefined ? { bad: `no label in column "${columns.labelColumn}"` } : { text: reading.text, labels };
}

/** A JSON line's object and its text field; undefined for a blank line. */
function jsonWithText(source: string, textField: string): { object: Record<string, unknown>; text: string } | { bad: string } | undefined {
  if (source.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    return { bad: `invalid JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { bad: 'not a JSON object' };
  const object = value as Record<string, unknown>;
  const text = object[textField];
  return typeof text === 'string' && text.trim() !== '' ? { object, text } : { bad: `no text in field "${textField}"` };
}

/** The text field of a JSON line; undefined for a blank one. */
export function readJsonText(source: string, textField: string): TextReading | undefined {
  const reading = jsonWithText(source, textField);
  return reading === undefined || 'bad' in reading ? reading : { text: reading.text };
}

/** A JSON line's text and labels (`labelSeparator`: multi-label data); undefined for a blank one. */
export function readJsonRecord(source: string, textField: string, labelField: string, labelSeparator?: string): RecordReading | undefined {
  const reading = jsonWithText(source, textField);
  if (reading === undefined || 'bad' in reading) return reading;
  const labels = labelsFromJson(reading.object[labelField], labelSeparator);
  if (labels !== undefined) return { text: reading.text, labels };
  const wanted = labelSeparator === undefined ? 'a class name or an integer id' : 'a list of class names or integer ids';
  return { bad: `no label in field "${labelField}" (${wanted})` };
}

/**
 * The labels of the examples in a file's head, read as the engine reads them (bad lines left out);
 * undefined when the text or label column is missing. When `complete` is false the head is cut and
 * its last record is left out.
 */
export function labelsInHead(head: string, format: ColumnFormat, textColumn: string, labelColumn: string, complete: boolean, labelSeparator?: string): Set<string> | undefined {
  const labels = new Set<string>();
  const add = (reading: RecordReading | undefined): void => {
    if (reading && !('bad' in reading)) for (const label of reading.labels) labels.add(label);
  };
  if (format === 'jsonl') {
    const lines = head.split(/\r\n|\r|\n/);
    if (!complete) lines.pop();
    for (const line of lines) add(readJsonRecord(line, textColumn, labelColumn, labelSeparator));
    return labels;
  }
  const [header, ...records] = parseDelimitedRecords(head, DELIMITERS[format], complete);
  if (!header) return labels;
  const names = headerColumns(header);
  const columns = { textColumn, labelColumn, labelSeparator, textAt: names.indexOf(textColumn), labelAt: names.indexOf(labelColumn), width: names.length };
  if (columns.textAt < 0 || columns.labelAt < 0) return undefined;
  for (const record of records) add(readDelimitedRecord(record, columns));
  return labels;
}
