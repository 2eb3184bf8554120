import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { describeVectorsHead, dimensionProblem, gloveDimension, HEADER_LINE, VECTORS_HEAD_BYTES, type VectorsFileFormat } from '../../common/vectorsHead';
import { BufferedFileWriter, writeFileAtomic } from '../io/atomicWrite';
import { FLOAT32_TEXT_BYTES, writeFloat32 } from './float32Text';

const SPACE = 0x20;
const NEWLINE = 0x0a;

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
    // Each line is assembled as bytes: the word, then every value as its shortest float32 decimal.
    const line = Buffer.alloc(words.reduce((longest, word) => Math.max(longest, Buffer.byteLength(word)), 0) + dim * FLOAT32_TEXT_BYTES + 1);
    for (let row = 0; row < words.length; row++) {
      let end = line.write(words[row]!, 0, 'utf8');
      const offset = row * dim;
      for (let i = 0; i < dim; i++) {
        line[end++] = SPACE;
        end = writeFloat32(vectors[offset + i]!, line, end);
      }
      line[end++] = NEWLINE;
      await out.write(line.subarray(0, end));
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

/** How much of a vectors file to read. */
export interface ReadVectorsOptions {
  /** Read only the first N vectors (files are ordered most frequent first): `model.max_vectors`. */
  readonly maxVectors?: number;
}

function parseHeader(file: string, where: string, line: string): { count: number; dim: number } {
  const match = HEADER_LINE.exec(line);
  if (!match) {
    const shown = JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line);
    throw new VectorsFormatError(file, where, `expected the header '<count> <dimension>', found ${shown}`);
  }
  const count = Number(match[1]);
  const dim = Number(match[2]);
  const problem = dimensionProblem(dim);
  if (problem !== undefined) throw new VectorsFormatError(file, where, `the header gives ${problem}`);
  return { count, dim };
}

/** Rows of dim floats that grow as a header-less file is read. */
class GrowingRows {
  words: string[] = [];
  private data: Float32Array;

  constructor(
    readonly dim: number,
    expected: number,
  ) {
    this.data = new Float32Array(Math.max(1, expected) * dim);
  }

  /** The next row's offset in `values` (grown when full). */
  append(word: string): number {
    const offset = this.words.length * this.dim;
    if (offset + this.dim > this.data.length) {
      const grown = new Float32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.words.push(word);
    return offset;
  }

  get values(): Float32Array {
    return this.data;
  }

  finish(): Float32Array {
    return this.data.length === this.words.length * this.dim ? this.data : this.data.slice(0, this.words.length * this.dim);
  }
}

/** Repeated words named one by one in the warnings; the rest are counted. */
const REPEATS_NAMED = 5;

/**
 * Reads a text vectors file line by line, with `file:line` in every error: word2vec text and fastText
 * `.vec` (a `<count> <dim>` header), or GloVe (no header; the dimension is the first line's).
 */
export async function readVectorsText(file: string, { maxVectors = Number.POSITIVE_INFINITY }: ReadVectorsOptions = {}): Promise<WordVectors> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let rows: GrowingRows | undefined;
  let announced: number | undefined;
  const firstLine = new Map<string, number>();
  const warnings: string[] = [];
  let spaced = 0;
  let repeats = 0;
  let lineNumber = 0;
  try {
    for await (const raw of lines) {
      lineNumber++;
      const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (line.includes('\u0000') || line.includes('\uFFFD')) {
        const what = rows ? 'binary data in a text vectors file; is it a .bin file, or damaged?' : 'this is not a text vectors file (binary data in the first line); is it a .bin file?';
        throw new VectorsFormatError(file, `${lineNumber}`, what);
      }
      if (!rows) {
        if (HEADER_LINE.test(line)) {
          const header = parseHeader(file, `${lineNumber}`, line);
          announced = header.count;
          rows = new GrowingRows(header.dim, Math.min(header.count, maxVectors));
          continue;
        }
        const dim = gloveDimension(line);
        if (dim === undefined) throw new VectorsFormatError(file, `${lineNumber}`, `expected the header '<count> <dimension>' (word2vec, fastText .vec) or a GloVe line 'word v1 v2 …', found ${JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line)}`);
        const problem = dimensionProblem(dim);
        if (problem !== undefined) throw new VectorsFormatError(file, `${lineNumber}`, `the first line holds a word and ${problem}`);
        rows = new GrowingRows(dim, Math.min(100_000, maxVectors));
      }
      if (rows.words.length >= maxVectors) break;
      const fields = line.trim().split(/ +/);
      if (fields.length === 1 && fields[0] === '') continue; // blank line
      if (announced !== undefined && rows.words.length >= announced) throw new VectorsFormatError(file, `${lineNumber}`, `more vectors than the ${announced} the header announces`);
      const { dim } = rows;
      if (announced === undefined && fields.length > dim + 1 && fields.slice(-dim).every((field) => Number.isFinite(Number(field)))) {
        spaced++; // GloVe 840B has a few "words" with spaces inside; no tokenizer produces them
        continue;
      }
      const [word, ...values] = fields;
      if (values.length !== dim) {
        throw new VectorsFormatError(file, `${lineNumber}`, `expected ${dim} values after the word ${JSON.stringify(word)} (${announced === undefined ? "the first line's" : "the header's"} dimension), found ${values.length}`);
      }
      const seen = firstLine.get(word!);
      if (seen !== undefined && ++repeats <= REPEATS_NAMED) warnings.push(`${file}:${lineNumber}: the word ${JSON.stringify(word)} repeats line ${seen}; the first vector is kept`);
      else if (seen === undefined) firstLine.set(word!, lineNumber);
      const offset = rows.append(word!);
      const target = rows.values;
      for (let i = 0; i < dim; i++) {
        // Stored as float32: 1e39 is a finite double but Infinity as a float32, which no kernel survives.
        const value = Math.fround(Number(values[i]));
        if (!Number.isFinite(value)) throw new VectorsFormatError(file, `${lineNumber}`, `value ${i + 1} of ${JSON.stringify(word)} is not a finite float32 (|x| ≤ 3.4028235e38): ${JSON.stringify(values[i])}`);
        target[offset + i] = value;
      }
    }
  } finally {
    lines.close();
  }
  if (!rows) throw new VectorsFormatError(file, '', "the file is empty; expected the header '<count> <dimension>' or a GloVe line 'word v1 v2 …'");
  const read = rows.words.length;
  if (announced !== undefined && read < Math.min(announced, maxVectors)) throw new VectorsFormatError(file, `${lineNumber}`, `truncated: the header announces ${announced} vectors, the file holds ${read}`);
  if (repeats > REPEATS_NAMED) warnings.push(`${file}: ${repeats - REPEATS_NAMED} more repeated word(s); the first vector of each is kept`);
  if (spaced > 0) warnings.push(`${file}: ${spaced} line(s) whose word contains spaces were skipped`);
  return dropRepeats({ words: rows.words, dim: rows.dim, vectors: rows.finish(), warnings });
}

/** Reads the word2vec binary format; errors give the vector's index and byte offset. */
export async function readVectorsBinary(file: string, { maxVectors = Number.POSITIVE_INFINITY }: ReadVectorsOptions = {}): Promise<WordVectors> {
  const bytes = await readFile(file);
  const headerEnd = bytes.indexOf(10);
  if (headerEnd < 0 || headerEnd > 100) throw new VectorsFormatError(file, '1', "not a word2vec file: no header line '<count> <dimension>' at the start");
  const header = parseHeader(file, '1', bytes.toString('latin1', 0, headerEnd));
  const { dim } = header;
  const count = Math.min(header.count, maxVectors);
  const words = new Array<string>(count);
  const vectors = new Float32Array(count * dim);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const rowBytes = dim * 4;
  let offset = headerEnd + 1;
  for (let row = 0; row < count; row++) {
    while (offset < bytes.length && (bytes[offset] === 10 || bytes[offset] === 13)) offset++;
    const wordStart = offset;
    const space = bytes.indexOf(32, wordStart);
    if (offset >= bytes.length || space < 0) throw new VectorsFormatError(file, `byte ${offset}`, `truncated: the header announces ${header.count} vectors, the file holds ${row}`);
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
      throw new VectorsFormatError(file, `byte ${offset}`, `truncated: the vector of ${JSON.stringify(word)} (${row + 1} of ${header.count}) needs ${rowBytes} bytes, ${bytes.length - offset} are left`);
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
  if (count === header.count) {
    while (offset < bytes.length && (bytes[offset] === 10 || bytes[offset] === 13 || bytes[offset] === 32)) offset++;
    if (offset < bytes.length) throw new VectorsFormatError(file, `byte ${offset}`, `data after the ${count} vectors the header announces; wrong count or dimension in the header?`);
  }
  return dropRepeats({ words, dim, vectors, warnings: [] }, file);
}

/** The format a file is in, from its first bytes (describeVectorsHead), whatever its extension. */
export async function detectVectorsFormat(file: string): Promise<VectorsFileFormat> {
  const handle = await open(file, 'r');
  let head: Buffer;
  let complete: boolean;
  try {
    const sample = Buffer.alloc(VECTORS_HEAD_BYTES);
    const { bytesRead } = await handle.read(sample, 0, sample.length, 0);
    head = sample.subarray(0, bytesRead);
    complete = bytesRead < sample.length;
  } finally {
    await handle.close();
  }
  if (head.length >= 4 && head.readInt32LE(0) === FASTTEXT_MODEL_MAGIC) {
    throw new VectorsFormatError(file, '', "this is a fastText model (.bin), not word vectors: use the .vec file fastText writes beside it (or 'fasttext print-word-vectors')");
  }
  const described = describeVectorsHead(head.toString('utf8'), complete);
  if ('problem' in described) throw new VectorsFormatError(file, '1', described.problem);
  return described.format;
}

/** The first int32 of a fastText `.bin` model (fastText's FASTTEXT_FILEFORMAT_MAGIC_INT32). */
const FASTTEXT_MODEL_MAGIC = 793712314;

/** Any of the formats, detected from the file's content. */
export async function readVectors(file: string, options: ReadVectorsOptions = {}): Promise<WordVectors> {
  return (await detectVectorsFormat(file)) === 'word2vec-binary' ? readVectorsBinary(file, options) : readVectorsText(file, options);
}

/** Keeps the first vector of a repeated word (gensim does the same, with a warning); `warnFor`: the file, when the reader has not named them yet. */
function dropRepeats(read: WordVectors, warnFor?: string): WordVectors {
  const seen = new Set<string>();
  const keep: number[] = [];
  const repeated: string[] = [];
  read.words.forEach((word, row) => {
    if (!seen.has(word)) {
      seen.add(word);
      keep.push(row);
    } else repeated.push(word);
  });
  if (repeated.length === 0) return read;
  if (warnFor !== undefined) {
    const named = repeated.slice(0, REPEATS_NAMED).map((word) => JSON.stringify(word));
    const more = repeated.length > REPEATS_NAMED ? ` and ${repeated.length - REPEATS_NAMED} more` : '';
    read.warnings.push(`${warnFor}: repeated word(s) ${named.join(', ')}${more}; the first vector of each is kept`);
  }
  const vectors = new Float32Array(keep.length * read.dim);
  keep.forEach((row, index) => vectors.set(read.vectors.subarray(row * read.dim, (row + 1) * read.dim), index * read.dim));
  return { words: keep.map((row) => read.words[row]!), dim: read.dim, vectors, warnings: read.warnings };
}
