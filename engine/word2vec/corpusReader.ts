import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** A byte range of one corpus file: lines whose first byte lies in [start, end) belong to it. */
export interface CorpusSegment {
  file: string;
  start: number;
  end: number;
}

/** How lines become tokens: whitespace-separated, optionally lowercased (gensim's LineSentence). */
export interface TokenizeOptions {
  lowercase?: boolean;
}

const WHITESPACE = /\s+/;
const NEWLINE = 10;

/** Splits a line into tokens on any whitespace, dropping empty ones. */
export function tokenizeLine(line: string, options: TokenizeOptions = {}): string[] {
  const text = options.lowercase ? line.toLowerCase() : line;
  const tokens = text.split(WHITESPACE);
  if (tokens.length > 0 && tokens[0] === '') tokens.shift();
  if (tokens.length > 0 && tokens[tokens.length - 1] === '') tokens.pop();
  return tokens;
}

/**
 * Streams the lines of a segment (one sentence per line) without holding the file in memory. A segment
 * that starts mid-line skips that line (the previous segment owns it); the last line is read past `end`
 * to its newline.
 */
export async function* readSegmentLines(segment: CorpusSegment, chunkSize = 1 << 20): AsyncGenerator<string> {
  const readFrom = segment.start > 0 ? segment.start - 1 : 0;
  let skipping = segment.start > 0; // drop bytes up to and including the first newline seen
  let lineStart = readFrom; // file offset of the pending bytes' first byte
  let pending: Buffer | undefined;
  const stream = createReadStream(segment.file, { start: readFrom, highWaterMark: chunkSize });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = undefined;
      let from = 0;
      for (;;) {
        const newline = buffer.indexOf(NEWLINE, from);
        if (newline < 0) break;
        if (skipping) {
          skipping = false;
        } else {
          if (lineStart >= segment.end) return;
          yield buffer.toString('utf8', from, newline);
        }
        lineStart += newline + 1 - from;
        from = newline + 1;
      }
      if (from < buffer.length) {
        buffer = buffer.subarray(from);
        pending = Buffer.from(buffer); // copy: the stream may reuse its chunk
      }
    }
    if (pending && !skipping && lineStart < segment.end) yield pending.toString('utf8');
  } finally {
    stream.destroy();
  }
}

/** Lines of whole files, in order. */
export async function* readCorpusLines(files: readonly string[]): AsyncGenerator<string> {
  for (const file of files) yield* readSegmentLines({ file, start: 0, end: Number.POSITIVE_INFINITY });
}

/**
 * Splits the files' bytes into `parts` contiguous shares of equal size (a share may span files), one per
 * worker thread. Every line belongs to exactly one share.
 */
export async function splitCorpus(files: readonly string[], parts: number): Promise<CorpusSegment[][]> {
  const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  const shares: CorpusSegment[][] = [];
  for (let part = 0; part < parts; part++) {
    const from = Math.floor((total * part) / parts);
    const to = Math.floor((total * (part + 1)) / parts);
    const segments: CorpusSegment[] = [];
    let fileStart = 0;
    files.forEach((file, index) => {
      const size = sizes[index] ?? 0;
      const start = Math.max(from, fileStart) - fileStart;
      const end = Math.min(to, fileStart + size) - fileStart;
      if (end > start) segments.push({ file, start, end });
      fileStart += size;
    });
    shares.push(segments);
  }
  return shares;
}
