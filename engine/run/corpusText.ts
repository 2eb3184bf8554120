// The word2vec corpus as plain-text files (one document per line): text files as they are, the text
// column of CSV/TSV/JSONL files extracted into the run folder first, since the corpus reader reads lines.
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../io/atomicWrite';
import { RunError } from './runError';
import type { TrainerContext } from './trainerContext';

type Format = 'csv' | 'tsv' | 'jsonl' | 'text';

function formatOf(file: string, declared: Format | undefined): Format {
  if (declared) return declared;
  const extension = path.extname(file).toLowerCase();
  return extension === '.csv' ? 'csv' : extension === '.tsv' ? 'tsv' : extension === '.jsonl' ? 'jsonl' : 'text';
}

/** Rows of a delimited file with the line each starts on; quoted fields may hold delimiters, quotes ("") and newlines. */
export function* delimitedRows(text: string, delimiter: string): Generator<{ line: number; fields: string[] }> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.length > 1 || fields[0] !== '') yield { line: rowLine, fields };
      fields = [];
      field = '';
      line++;
      rowLine = line;
    } else field += ch;
  }
  fields.push(field);
  if (fields.length > 1 || fields[0] !== '') yield { line: rowLine, fields };
}

/** The texts of one CSV/TSV/JSONL file; unreadable rows are reported (bad_lines: skip) or stop the run (error). */
async function extractTexts(file: string, format: Exclude<Format, 'text'>, column: string, onBadLine: (line: number, why: string) => void): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const texts: string[] = [];
  if (format === 'jsonl') {
    text.split('\n').forEach((raw, index) => {
      if (raw.trim() === '') return;
      try {
        const value = (JSON.parse(raw) as Record<string, unknown>)[column];
        if (typeof value === 'string' && value.trim() !== '') texts.push(value);
        else onBadLine(index + 1, `no text in field "${column}"`);
      } catch (error) {
        onBadLine(index + 1, `invalid JSON (${(error as Error).message})`);
      }
    });
    return texts;
  }
  const rows = delimitedRows(text, format === 'csv' ? ',' : '\t');
  const header = rows.next();
  if (header.done) return texts;
  const at = header.value.fields.indexOf(column);
  if (at < 0) throw new RunError(`${file}: no column "${column}" in the header (${header.value.fields.join(', ')})`, ['data', 'text_column']);
  for (const row of rows) {
    if (row.fields.length !== header.value.fields.length) onBadLine(row.line, `${row.fields.length} fields, the header has ${header.value.fields.length}`);
    else if (row.fields[at]!.trim() === '') onBadLine(row.line, `empty text in column "${column}"`);
    else texts.push(row.fields[at]!);
  }
  return texts;
}

/** Plain-text corpus files for `data.train`, extracting CSV/TSV/JSONL text columns under `<run>/corpus/`. */
export async function corpusTextFiles(context: TrainerContext): Promise<string[]> {
  const { data } = context.config;
  const files: string[] = [];
  let skipped = 0;
  for (const [index, file] of data.train.entries()) {
    const format = formatOf(file, data.format);
    if (format === 'text') {
      files.push(file);
      continue;
    }
    const column = data.text_column ?? 'text';
    const texts = await extractTexts(file, format, column, (line, why) => {
      if (data.bad_lines === 'error') throw new RunError(`${file}:${line}: ${why} (data.bad_lines: error)`, ['data', 'bad_lines']);
      skipped++;
      if (skipped <= 10) context.emit({ kind: 'log', level: 'warning', message: `skipped ${why}`, location: { file, line } });
    });
    const folder = path.join(context.folder.dir, 'corpus');
    await mkdir(folder, { recursive: true });
    const extracted = path.join(folder, `${index}-${path.basename(file)}.txt`);
    await writeFileAtomic(extracted, texts.map((text) => text.replace(/\s+/g, ' ').trim()).join('\n') + '\n');
    files.push(extracted);
  }
  if (skipped > 10) context.emit({ kind: 'log', level: 'warning', message: `${skipped} unreadable rows skipped in all (the first 10 are listed above).` });
  return files;
}
