import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { BufferedFileWriter, writeFileAtomic } from '../io/atomicWrite';

/** Word vectors as word2vec files hold them: words in file order and a row-major matrix. */
export interface WordVectors {
  words: string[];
  dim: number;
  /** words.length × dim */
  vectors: Float32Array;
  /** Things a reader tolerated (e.g. a repeated word, whose first vector is kept). */
  warnings: string[];
}

/** A vectors file that cannot be read, with where: `file:line` for text, a byte offset for binary. */
export class VectorsFormatError extends Error {
  constructor(
    readonly file: string,
    readonly where: string,
    detail: string,
  ) {
    super(`${file}${where ? `:${where}` : ''}: ${detail}`);
    this.name = 'VectorsFormatError';
  }
}

/** The shortest decimal that reads back as exactly this float32 (so text round trips are lossless). */
export function formatFloat32(value: number): string {
  for (let precision = 6; precision < 9; precision++) {
    const text = value.toPrecision(precision);
    if (Math.fround(Number(text)) === value) return text;
  }
  return value.toPrecision(9);
}

function checkShape(words: readonly string[], vectors: Float32Array, dim: number): void {
  if (vectors.length !== words.length * dim) throw new Error(`${words.length} words × ${dim} dimensions need ${words.length * dim} values, got ${vectors.length}`);
  for (const word of words) {
    if (word.length === 0 || /\s/.test(word)) throw new Error(`cannot write the word ${JSON.stringify(word)}: word2vec files separate words by whitespace`);
  }
}

/** word2vec text format: `<count> <dim>` then `word v1 … vdim` per line (gensim and word2vec.c read it). */
export async function writeVectorsText(file: string, words: readonly string[], vectors: Float32Array, dim: number): Promise<void> {
  checkShape(words, vectors, dim);
  await writeFileAtomic(file, async (handle) => {
    const out = new BufferedFileWriter(handle);
    await out.writeString(`${words.length} ${dim}\n`);
    const parts = new Array<string>(dim + 1);
    for (let row = 0; row < words.length; row++) {
      parts[0] = words[row]!;
      const offset = row * dim;
      for (let i = 0; i < dim; i++) parts[i + 1] = formatFloat32(vectors[offset + i]!);
      await out.writeString(parts.join(' ') + '\n');
    }
    await out.flush();
  });
}

/** word2vec binary format, byte for byte as word2vec.c writes it: header line, then `word ` + dim float32 LE + `\n`. */
export async function writeVectorsBinary(file: string, words: readonly string[], vectors: Float32Array, dim: number): Promise<void> {
  checkShape(words, vectors, dim);
  const row = Buffer.alloc(dim * 4);
  await writeFileAtomic(file, async (handle) => {
    const out = new BufferedFileWriter(handle);
    await out.writeString(`${words.length} ${dim}\n`);
    for (let index = 0; index < words.length; index++) {
      await out.writeString(`${words[index]!} `);
      const offset = index * dim;
      for (let i = 0; i < dim; i++) row.writeFloatLE(vectors[offset + i]!, i * 4);
      await out.write(row);
      await out.writeString('\n');
    }
    await out.flush();
  });
}

const HEADER = /^\s*(\d+)\s+(\d+)\s*$/;

function parseHeader(file: string, where: string, line: string): { count: number; dim: number } {
  const match = HEADER.exec(line);
  if (!match) {
    const shown = JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line);
    throw new VectorsFormatError(file, where, `expected the header '<count> <dimension>', found ${shown}`);
  }
  const count = Number(match[1]);
  const dim = Number(match[2]);
  if (dim < 1) throw new VectorsFormatError(file, where, `the header gives dimension ${dim}; it must be at least 1`);
  return { count, dim };
}

/** Reads the word2vec text format line by line, with `file:line` in every error. */
export async function readVectorsText(file: string): Promise<WordVectors> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let header: { count: number; dim: number } | undefined;
  let words: string[] = [];
  let vectors = new Float32Array(0);
  const firstLine = new Map<string, number>();
  const warnings: string[] = [];
  let lineNumber = 0;
  let row = 0;
  for await (const line of lines) {
    lineNumber++;
    if (!header) {
      if (line.includes('\u0000') || line.includes('\uFFFD')) throw new VectorsFormatError(file, `${lineNumber}`, 'this is not a text vectors file (binary data in the header line); is it a .bin file?');
      header = parseHeader(file, `${lineNumber}`, line);
      words = new Array<string>(header.count);
      vectors = new Float32Array(header.count * header.dim);
      continue;
    }
    if (line.includes('\u0000') || line.includes('\uFFFD')) throw new VectorsFormatError(file, `${lineNumber}`, 'binary data in a text vectors file; is it a .bin file, or damaged?');
    const fields = line.trim().split(/ +/);
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    if (row >= header.count) throw new VectorsFormatError(file, `${lineNumber}`, `more vectors than the ${header.count} the header announces`);
    const [word, ...values] = fields;
    if (values.length !== header.dim) {
      throw new VectorsFormatError(file, `${lineNumber}`, `expected ${header.dim} values after the word ${JSON.stringify(word)} (the header's dimension), found ${values.length}`);
    }
    const seen = firstLine.get(word!);
    if (seen !== undefined) {
      warnings.push(`${file}:${lineNumber}: the word ${JSON.stringify(word)} repeats line ${seen}; the first vector is kept`);
    } else {
      firstLine.set(word!, lineNumber);
    }
    const offset = row * header.dim;
    for (let i = 0; i < header.dim; i++) {
      const value = Number(values[i]);
      if (!Number.isFinite(value)) throw new VectorsFormatError(file, `${lineNumber}`, `value ${i + 1} of ${JSON.stringify(word)} is not a finite number: ${JSON.stringify(values[i])}`);
      vectors[offset + i] = value;
    }
    words[row] = word!;
    row++;
  }
  if (!header) throw new VectorsFormatError(file, '', "the file is empty; expected the header '<count> <dimension>'");
  if (row < header.count) throw new VectorsFormatError(file, `${lineNumber}`, `truncated: the header announces ${header.count} vectors, the file holds ${row}`);
  return dropRepeats({ words, dim: header.dim, vectors, warnings });
}

/** Reads the word2vec binary format; errors give the vector's index and byte offset. */
export async function readVectorsBinary(file: string): Promise<WordVectors> {
  const bytes = await readFile(file);
  const headerEnd = bytes.indexOf(10);
  if (headerEnd < 0 || headerEnd > 100) throw new VectorsFormatError(file, '1', "not a word2vec file: no header line '<count> <dimension>' at the start");
  const { count, dim } = parseHeader(file, '1', bytes.toString('latin1', 0, headerEnd));
  const words = new Array<string>(count);
  const vectors = new Float32Array(count * dim);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const rowBytes = dim * 4;
  let offset = headerEnd + 1;
  for (let row = 0; row < count; row++) {
    while (offset < bytes.length && (bytes[offset] === 10 || bytes[offset] === 13)) offset++;
    const wordStart = offset;
    const space = bytes.indexOf(32, wordStart);
    if (offset >= bytes.length || space < 0) throw new VectorsFormatError(file, `byte ${offset}`, `truncated: the header announces ${count} vectors, the file holds ${row}`);
    if (space - wordStart > 1000 || bytes.subarray(wordStart, space).includes(0) || bytes.subarray(wordStart, space).includes(10)) {
      throw new VectorsFormatError(file, `byte ${wordStart}`, `vector ${row + 1}: no word followed by a space here; the file is damaged or not word2vec binary`);
    }
    let word: string;
    try {
      word = decoder.decode(bytes.subarray(wordStart, space));
    } catch {
      throw new VectorsFormatError(file, `byte ${wordStart}`, `vector ${row + 1}: the word is not valid UTF-8; the file is damaged or not word2vec binary`);
    }
    offset = space + 1;
    if (offset + rowBytes > bytes.length) {
      throw new VectorsFormatError(file, `byte ${offset}`, `truncated: the vector of ${JSON.stringify(word)} (${row + 1} of ${count}) needs ${rowBytes} bytes, ${bytes.length - offset} are left`);
    }
    const base = row * dim;
    for (let i = 0; i < dim; i++) {
      const value = bytes.readFloatLE(offset + i * 4);
      if (!Number.isFinite(value)) throw new VectorsFormatError(file, `byte ${offset + i * 4}`, `value ${i + 1} of ${JSON.stringify(word)} is not finite; wrong dimension or damaged file`);
      vectors[base + i] = value;
    }
    words[row] = word;
    offset += rowBytes;
  }
  while (offset < bytes.length && (bytes[offset] === 10 || bytes[offset] === 13 || bytes[offset] === 32)) offset++;
  if (offset < bytes.length) throw new VectorsFormatError(file, `byte ${offset}`, `data after the ${count} vectors the header announces; wrong count or dimension in the header?`);
  return dropRepeats({ words, dim, vectors, warnings: [] });
}

/** The format a file is in: by extension (.bin / .txt / .vec), else by looking for binary bytes after the header. */
export async function detectVectorsFormat(file: string): Promise<'text' | 'binary'> {
  if (/\.bin$/i.test(file)) return 'binary';
  if (/\.(txt|vec)$/i.test(file)) return 'text';
  const handle = await open(file, 'r');
  try {
    const sample = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(sample, 0, sample.length, 0);
    const head = sample.subarray(0, bytesRead);
    const body = head.subarray(head.indexOf(10) + 1);
    return body.includes(0) || !isUtf8Prefix(body) ? 'binary' : 'text';
  } finally {
    await handle.close();
  }
}

function isUtf8Prefix(bytes: Buffer): boolean {
  // A 4096-byte sample may cut a character: allow up to 3 trailing bytes to be dropped.
  for (let cut = 0; cut < 4 && cut <= bytes.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - cut));
      return true;
    } catch {
      // try a shorter prefix
    }
  }
  return false;
}

export async function readVectors(file: string): Promise<WordVectors> {
  return (await detectVectorsFormat(file)) === 'binary' ? readVectorsBinary(file) : readVectorsText(file);
}

/** Keeps the first vector of a repeated word (gensim does the same, with a warning). */
function dropRepeats(read: WordVectors): WordVectors {
  const seen = new Set<string>();
  const keep: number[] = [];
  read.words.forEach((word, row) => {
    if (!seen.has(word)) {
      seen.add(word);
      keep.push(row);
    } else if (!read.warnings.some((warning) => warning.includes(JSON.stringify(word)))) {
      read.warnings.push(`the word ${JSON.stringify(word)} appears more than once; the first vector is kept`);
    }
  });
  if (keep.length === read.words.length) return read;
  const vectors = new Float32Array(keep.length * read.dim);
  keep.forEach((row, index) => vectors.set(read.vectors.subarray(row * read.dim, (row + 1) * read.dim), index * read.dim));
  return { words: keep.map((row) => read.words[row]!), dim: read.dim, vectors, warnings: read.warnings };
}
