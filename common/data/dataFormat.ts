// Which reader a data file needs: the declared `data.format`, else its extension.
import * as path from 'node:path';
import type { Data } from '../schema/config.generated';

export type DataFormat = NonNullable<Data['format']>;

/** `.csv`, `.tsv`, `.jsonl` (case-insensitive); anything else is plain text. */
export function dataFormatOf(file: string, declared?: DataFormat): DataFormat {
  if (declared !== undefined) return declared;
  const extension = path.extname(file).toLowerCase();
  return extension === '.csv' ? 'csv' : extension === '.tsv' ? 'tsv' : extension === '.jsonl' ? 'jsonl' : 'text';
}

const DATA_FORMATS: readonly DataFormat[] = ['csv', 'tsv', 'jsonl', 'text'];

/** A `data.format` value as written in a config that may not have passed the schema yet. */
export function asDataFormat(value: unknown): DataFormat | undefined {
  return DATA_FORMATS.find((format) => format === value);
}
