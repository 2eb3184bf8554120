// The columns of a data file, read as the engine reads them: the header record of the shared CSV/TSV
// parser (names trimmed), or the fields of the first JSON line.
import type { DataFormat } from './dataFormat';
import { parseDelimitedRecords, type DelimitedRecord } from './delimitedRecords';

export type ColumnFormat = Exclude<DataFormat, 'text'>;

export const DELIMITERS: Record<Exclude<ColumnFormat, 'jsonl'>, string> = { csv: ',', tsv: '\t' };

/** Column names of a header record. */
export function headerColumns(header: DelimitedRecord): string[] {
  return header.fields.map((name) => name.trim());
}

/** Column names from a CSV/TSV header row, or field names from the first JSON line, in a file's head. */
export function readColumns(head: string, format: ColumnFormat): string[] | undefined {
  if (format === 'jsonl') {
    const first = head.split(/\r\n|\r|\n/).find((line) => line.trim() !== '');
    if (first === undefined) return undefined;
    try {
      const parsed: unknown = JSON.parse(first);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? Object.keys(parsed) : undefined;
    } catch {
      return undefined; // a bad first line is the engine's to report, with its line number
    }
  }
  const [header] = parseDelimitedRecords(head, DELIMITERS[format], true);
  return header ? headerColumns(header) : undefined;
}
