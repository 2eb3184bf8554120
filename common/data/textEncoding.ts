// The encoding of a text file, from its first bytes: UTF-8 (with or without a BOM) or UTF-16 (a BOM, or
// the NUL in every other byte that mostly-ASCII UTF-16 text has, as Notepad and Excel write it). The
// engine and the language server read data through this, so a UTF-16 file is read as text instead of
// being shown, or trained on, as NUL bytes.
import { TextDecoder } from 'node:util';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Bytes looked at when a file has no BOM. */
const SNIFF_BYTES = 1024;

export function detectEncoding(head: Uint8Array): TextEncoding {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const pairs = Math.floor(Math.min(head.length, SNIFF_BYTES) / 2);
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < pairs * 2; i++) {
    if (head[i] !== 0) continue;
    if (i % 2 === 0) evenNuls++;
    else oddNuls++;
  }
  if (pairs >= 2 && oddNuls >= pairs / 2 && evenNuls === 0) return 'utf-16le';
  if (pairs >= 2 && evenNuls >= pairs / 2 && oddNuls === 0) return 'utf-16be';
  return 'utf-8';
}

/** A streaming decoder for the encoding; it drops a leading BOM. */
export function textDecoderFor(head: Uint8Array): TextDecoder {
  return new TextDecoder(detectEncoding(head));
}

const NUL_BYTES = 'it holds NUL bytes: a binary file, or text in an encoding other than UTF-8 and UTF-16';

/**
 * Why a file's head is not readable text, or undefined: bytes its encoding cannot decode (not UTF-8:
 * Latin-1, Windows-1252), or NUL characters (a binary file, or another encoding).
 */
export function unreadableHead(head: Uint8Array): string | undefined {
  const encoding = detectEncoding(head);
  if (encoding === 'utf-8' && head.includes(0)) return NUL_BYTES;
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(head, { stream: true });
  } catch {
    return encoding === 'utf-8' ? 'it is not UTF-8 text (save it as UTF-8; Latin-1 and Windows-1252 are not read)' : `it is not valid ${encoding.toUpperCase()} text`;
  }
  if (text.includes('\0')) return NUL_BYTES;
  return undefined;
}
