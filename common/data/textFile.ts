// Text files read in their own encoding (common/data/textEncoding.ts), chunk by chunk or their head:
// the one way the engine and the language server turn a data file's bytes into text.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { TextDecoder } from 'node:util';
import { textDecoderFor, unreadableHead } from './textEncoding';

/** The head of a file holds no text: NUL bytes (binary, or an unknown encoding) or bytes that are not UTF-8. */
export class UnreadableTextError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file} cannot be read as text: ${reason}`);
    this.name = 'UnreadableTextError';
  }
}

/** Bytes at the start of a file that must be readable text: a read stream's first chunk, so both readers check the same. */
export const CHECKED_HEAD_BYTES = 64 * 1024;

function checkHead(file: string, bytes: Uint8Array): void {
  const reason = unreadableHead(bytes.subarray(0, CHECKED_HEAD_BYTES));
  if (reason !== undefined) throw new UnreadableTextError(file, reason);
}

/** The text of a file in chunks, decoded from its detected encoding, without its BOM; an unreadable head throws. */
export async function* readTextChunks(file: string): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  for await (const chunk of createReadStream(file, { highWaterMark: CHECKED_HEAD_BYTES }) as AsyncIterable<Buffer>) {
    if (decoder === undefined) {
      checkHead(file, chunk);
      decoder = textDecoderFor(chunk);
    }
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder?.decode() ?? '';
  if (rest !== '') yield rest;
}

/**
 * At most `maxBytes` from the start of a file, decoded; a character cut at the end is left out. An
 * unreadable head throws, unless `checked` is false (a config: the editor shows it as it decodes).
 */
export async function readTextHead(file: string, maxBytes: number, { checked = true } = {}): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const size = Math.min(maxBytes, (await handle.stat()).size);
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    const bytes = buffer.subarray(0, bytesRead);
    if (checked) checkHead(file, bytes);
    return textDecoderFor(bytes).decode(bytes, { stream: true });
  } finally {
    await handle.close();
  }
}
