// The word2vec corpus as UTF-8 plain-text files (one document per line), since the corpus reader reads
// lines of bytes: UTF-8 text files as they are; UTF-16 text files, and the text column of CSV/TSV/JSONL
// files, written into the run folder first, through the readers every other part of NLP Studio uses.
import { mkdir, open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import * as path from 'node:path';
import { DELIMITERS, headerColumns, type ColumnFormat } from '../../common/data/dataHeader';
import { dataFormatOf } from '../../common/data/dataFormat';
import { readDelimitedRecords } from '../../common/data/delimitedRecords';
import { readJsonText, readTextRecord } from '../../common/data/labelledRecords';
import { detectEncoding } from '../../common/data/textEncoding';
import { CHECKED_HEAD_BYTES, readTextChunks, readTextHead, UnreadableTextError } from '../../common/data/textFile';
import { writeFileAtomic } from '../io/atomicWrite';
import { fileErrorReason } from '../io/fileErrors';
import { RunError } from './runError';
import type { TrainerContext } from './trainerContext';

type BadRow = (line: number, why: string) => void;

/** The texts of one CSV/TSV file; rows that cannot be read go to `onBadRow`. */
async function delimitedTexts(file: string, format: Exclude<ColumnFormat, 'jsonl'>, column: string, onBadRow: BadRow): Promise<string[]> {
  const records = readDelimitedRecords(file, DELIMITERS[format]);
  const first = await records.next();
  if (first.done === true) return [];
  const header = headerColumns(first.value);
  const columns = { textColumn: column, textAt: header.indexOf(column), width: header.length };
  if (columns.textAt < 0) throw new RunError(`${file}: no column "${column}" in the header (${header.join(', ')})`, ['data', 'text_column']);
  const texts: string[] = [];
  for await (const record of records) {
    const reading = readTextRecord(record, columns);
    if ('bad' in reading) onBadRow(record.line, reading.bad);
    else texts.push(reading.text);
  }
  return texts;
}

/** The texts of one JSONL file. */
async function jsonlTexts(file: string, field: string, onBadRow: BadRow): Promise<string[]> {
  const texts: string[] = [];
  let line = 0;
  for await (const source of createInterface({ input: Readable.from(readTextChunks(file)), crlfDelay: Infinity })) {
    line++;
    const reading = readJsonText(source, field);
    if (reading === undefined) continue;
    if ('bad' in reading) onBadRow(line, reading.bad);
    else texts.push(reading.text);
  }
  return texts;
}

/** The lines of a text file in another encoding than UTF-8 (UTF-16). */
async function transcodedLines(file: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: Readable.from(readTextChunks(file)), crlfDelay: Infinity })) lines.push(line);
  return lines;
}

async function isUtf8(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return detectEncoding(head.subarray(0, bytesRead)) === 'utf-8';
  } finally {
    await handle.close();
  }
}

/** A corpus file's lines when it must be rewritten as UTF-8 text, else undefined (a UTF-8 text file, read as it is). */
async function linesToRewrite(file: string, context: TrainerContext, onBadRow: BadRow): Promise<string[] | undefined> {
  const { data } = context.config;
  const format = dataFormatOf(file, data.format);
  const column = data.text_column;
  try {
    if (format === 'jsonl') return await jsonlTexts(file, column, onBadRow);
    if (format === 'csv' || format === 'tsv') return await delimitedTexts(file, format, column, onBadRow);
    if (await isUtf8(file)) {
      await readTextHead(file, CHECKED_HEAD_BYTES); // its head must be text: a binary file is refused here
      return undefined;
    }
    return await transcodedLines(file);
  } catch (error) {
    if (error instanceof UnreadableTextError) throw new RunError(`${file} cannot be read as text: ${error.reason}`, ['data', 'train']);
    const reason = fileErrorReason(error);
    if (reason !== undefined) throw new RunError(`${file}: ${reason}`, ['data', 'train']);
    throw error;
  }
}

/** Plain-text corpus files for `data.train`, writing CSV/TSV/JSONL text columns and UTF-16 text under `<run>/corpus/`. */
export async function corpusTextFiles(context: TrainerContext): Promise<string[]> {
  const { data } = context.config;
  const files: string[] = [];
  let skipped = 0;
  for (const [index, file] of data.train.entries()) {
    const lines = await linesToRewrite(file, context, (line, why) => {
      if (data.bad_lines === 'error') throw new RunError(`${file}:${line}: ${why} (data.bad_lines: error)`, ['data', 'bad_lines']);
      skipped++;
      if (skipped <= 10) context.emit({ kind: 'log', level: 'warning', message: `skipped ${why}`, location: { file, line } });
    });
    if (lines === undefined) {
      files.push(file);
      continue;
    }
    const folder = path.join(context.folder.dir, 'corpus');
    await mkdir(folder, { recursive: true });
    const extracted = path.join(folder, `${index}-${path.basename(file)}.txt`);
    await writeFileAtomic(extracted, lines.map((text) => text.replace(/\s+/g, ' ').trim()).join('\n') + '\n');
    files.push(extracted);
  }
  if (skipped > 10) context.emit({ kind: 'log', level: 'warning', message: `${skipped} unreadable rows skipped in all (the first 10 are listed above).` });
  return files;
}
