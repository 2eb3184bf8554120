// What the first bytes of a word-vectors file say about it: the engine's reader (engine/word2vec/
// vectorsFormat.ts) and the language server's diagnostics both decide the format here, so a file the
// editor accepts is a file the engine reads. Pure: it takes the head of the file as text.

/**
 * The formats users have vectors in: word2vec text (also fastText's `.vec`: the same `<count> <dim>`
 * header), word2vec binary (the same header, then float32 rows), and GloVe's header-less text.
 */
export type VectorsFileFormat = 'word2vec-text' | 'word2vec-binary' | 'glove';

export type VectorsHead =
  | { readonly format: 'word2vec-text' | 'word2vec-binary'; readonly count: number; readonly dim: number }
  | { readonly format: 'glove'; readonly dim: number }
  | { readonly problem: string };

export const HEADER_LINE = /^\s*(\d+)[ \t]+(\d+)[ \t]*$/;
/** Bytes of a file's head worth reading to decide: a few lines of a 300-dimensional file. */
export const VECTORS_HEAD_BYTES = 16 * 1024;

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * The format and dimension from the first `VECTORS_HEAD_BYTES` of a file, decoded as UTF-8 (bytes
 * that are not UTF-8 show as U+FFFD). `complete` says the head is the whole file.
 */
export function describeVectorsHead(head: string, complete = false): VectorsHead {
  const text = head.replace(/^\uFEFF/, '');
  const lines = text.split('\n');
  // The last line may be cut by the head's end (and a cut character decodes as U+FFFD): not judged.
  const whole = complete ? lines : lines.slice(0, -1);
  const first = (whole[0] ?? (complete ? '' : lines[0]!)).replace(/\r$/, '');
  if (first.trim() === '') return { problem: 'the file is empty or starts with a blank line' };
  const header = HEADER_LINE.exec(first);
  if (header) {
    const count = Number(header[1]);
    const dim = Number(header[2]);
    if (dim < 1) return { problem: `the header "${first.trim()}" gives dimension ${dim}; it must be at least 1` };
    const after = text.slice(text.indexOf('\n') + 1);
    const judged = complete ? after : after.slice(0, Math.max(0, after.length - 3));
    return { format: hasBinaryBytes(judged) ? 'word2vec-binary' : 'word2vec-text', count, dim };
  }
  const dim = gloveDimension(first);
  if (dim === undefined) {
    const shown = first.length > 60 ? `${first.slice(0, 60)}…` : first;
    return {
      problem: `it does not start like a word-vectors file: expected a word2vec or fastText header "<count> <dimensions>", or a GloVe line "word v1 v2 …"; found ${JSON.stringify(shown)}`,
    };
  }
  const second = whole[1]?.replace(/\r$/, '');
  if (second !== undefined && second.trim() !== '' && gloveDimension(second) !== dim) {
    return { problem: `the first line holds a word and ${dim} numbers, the second does not: not a GloVe file` };
  }
  return { format: 'glove', dim };
}

/** NUL or a byte that is not UTF-8 (decoded as U+FFFD): binary data, not text. */
const hasBinaryBytes = (text: string): boolean => text.includes('\u0000') || text.includes('\uFFFD');

/** The dimension of a GloVe line `word v1 … vd` (every field after the word a number), else undefined. */
export function gloveDimension(line: string): number | undefined {
  const fields = line.trim().split(/[ \t]+/);
  if (fields.length < 2 || hasBinaryBytes(line)) return undefined;
  return fields.slice(1).every((field) => NUMBER.test(field)) ? fields.length - 1 : undefined;
}
