// A parsed *.nlp.yaml with source ranges: the one view of a config that every language feature reads.
// Positions come from the editor's own line table (LF, CRLF and a lone CR each end a line), so a
// range the server publishes is the range the editor shows.
import { isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import type { Position, Range } from 'vscode-languageserver-types';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseBoundedYaml } from './boundedYaml';

/** A JSON-pointer-like path into the config: property names and array indexes. */
export type ConfigPath = (string | number)[];

export interface ConfigDocument {
  /** The file the text came from; relative paths in the config resolve against its folder. */
  readonly uri: string;
  readonly text: string;
  readonly yaml: Document.Parsed;
  /** The config as plain data (undefined for an empty document, or one that cannot be read). */
  readonly value: unknown;
  /** The number of lines, as the editor counts them. */
  readonly lineCount: number;
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
  rangeOf(start: number, end: number): Range;
  /** Offsets of the line holding `offset`: its start, its end before the line break, and the next line's start. */
  lineAt(offset: number): { start: number; end: number; next: number };
}

export function parseConfigDocument(uri: string, text: string): ConfigDocument {
  const lines = TextDocument.create(uri, 'nlp-config', 0, text);
  const { yaml, value } = parseBoundedYaml(text);
  const positionAt = (offset: number): Position => lines.positionAt(offset);
  const offsetAt = (position: Position): number => lines.offsetAt(position);
  return {
    uri,
    text,
    yaml,
    value,
    lineCount: lines.lineCount,
    positionAt,
    offsetAt,
    rangeOf: (start, end) => ({ start: positionAt(start), end: positionAt(end) }),
    lineAt: (offset) => {
      const { line } = positionAt(offset);
      const start = offsetAt({ line, character: 0 });
      const next = line + 1 < lines.lineCount ? offsetAt({ line: line + 1, character: 0 }) : text.length;
      let end = next;
      while (end > start && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
      return { start, end, next };
    },
  };
}

/** The pair (key and value) at `path`, if the document has one. */
export function findPair(doc: ConfigDocument, path: ConfigPath): Pair<Node, Node | null> | undefined {
  if (path.length === 0) return undefined;
  const parent = findNode(doc, path.slice(0, -1));
  const last = path[path.length - 1];
  if (!isMap(parent) || typeof last !== 'string') return undefined;
  return parent.items.find((item) => isScalar(item.key) && String(item.key.value) === last) as Pair<Node, Node | null> | undefined;
}

/** The value node at `path` (the root for an empty path). */
export function findNode(doc: ConfigDocument, path: ConfigPath): Node | undefined {
  let node: unknown = doc.yaml.contents;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      node = pair?.value ?? undefined;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      return undefined;
    }
  }
  return (node ?? undefined) as Node | undefined;
}

/** Source offsets of a node: [start, end of value]. */
export function nodeSpan(node: Node | null | undefined): [number, number] | undefined {
  const range = node?.range;
  return range ? [range[0], range[1]] : undefined;
}

/**
 * Where an offset sits: the path of the innermost map/sequence entry that contains it, and whether
 * the cursor is on a key (or where a new key would go) or on a value. Worked out from the text's
 * indentation rather than the YAML tree, because the text being typed is rarely valid YAML yet.
 */
export interface LocationInfo {
  /**
   * For kind 'value': the path of the value the cursor is in. For kind 'key': the path of the key
   * under the cursor (`parentPath` plus the key), or `parentPath` itself when no key is typed yet.
   */
  path: ConfigPath;
  kind: 'key' | 'value';
  /** The node at `path`, when the document has one. */
  node?: Node;
  /** The pair whose key or value is at `path`, when the document has one. */
  pair?: Pair<unknown, unknown>;
  /** The collection a key typed here belongs to (kind 'key'), or that holds the value (kind 'value'). */
  parentPath: ConfigPath;
  /** The word under the cursor (key or scalar value, without quotes): offsets [start, end). */
  word: { start: number; end: number; text: string };
  /** Column where the key under the cursor starts; a multi-line insertion is indented from here. */
  indent: number;
  /** True when the cursor sits right after `key:` with no space yet. */
  afterColon: boolean;
  /** True when the cursor is on a sequence item (`- ` on this line, or inside `[...]`). */
  inSequenceItem: boolean;
  /** True when the cursor is inside a comment. */
  inComment: boolean;
}

/** A key or sequence item that is open on some line above the cursor. */
interface OpenEntry {
  column: number;
  segment: string | number;
  /** For keys: the value continues on the following lines (`key:` with nothing after it). */
  blockValue: boolean;
}

const KEY_PATTERN = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s'"#[\]{},:-][^#:]*?|-[^\s#:][^#:]*?)[ \t]*:(?=[ \t]|$)/;
const WORD_CHARS = /[^\s,[\]{}"'#:]/;

function unquoteKey(key: string): string {
  if (key.startsWith('"')) return key.slice(1, -1).replace(/\\(.)/g, '$1');
  if (key.startsWith("'")) return key.slice(1, -1).replace(/''/g, "'");
  return key;
}

/** Index of a comment's `#` in a line (outside quotes, at the start or after whitespace), or -1. */
function commentStart(line: string): number {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      if (i === 0 || /[\s:[{,]/.test(line[i - 1] ?? '')) quote = ch;
    } else if (ch === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) {
      return i;
    }
  }
  return -1;
}

/** Leading indentation and `- ` markers: the columns of the markers and where the content starts. */
function splitSequenceMarkers(line: string): { dashes: number[]; content: number } {
  const dashes: number[] = [];
  let i = line.length - line.trimStart().length;
  while (line[i] === '-' && (i + 1 === line.length || line[i + 1] === ' ' || line[i + 1] === '\t')) {
    dashes.push(i);
    i++;
    while (line[i] === ' ' || line[i] === '\t') i++;
  }
  return { dashes, content: i };
}

function bracketBalance(text: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
  }
  return depth;
}

/** Opens the sequence items of one line's `- ` markers on the stack. */
function openSequenceItems(stack: OpenEntry[], dashes: number[]): void {
  dashes.forEach((column, i) => {
    let index = 0;
    if (i === 0) {
      while (stack.length > 0 && stack[stack.length - 1]!.column > column) stack.pop();
      const top = stack[stack.length - 1];
      if (top && top.column === column && typeof top.segment === 'number') {
        index = top.segment + 1; // the next item of the same sequence
        stack.pop();
      } else if (top && top.column === column && !top.blockValue) {
        stack.pop(); // `key: value` then `- x` at the same column is not this key's sequence
      }
    }
    stack.push({ column, segment: index, blockValue: true });
  });
}

/** The keys and items open at the start of `lineIndex`, from the lines above it. */
function openEntriesBefore(lines: string[], lineIndex: number): OpenEntry[] {
  const stack: OpenEntry[] = [];
  let blockScalarColumn: number | undefined;
  let flowDepth = 0;
  for (let n = 0; n < lineIndex; n++) {
    const raw = lines[n] ?? '';
    const hash = commentStart(raw);
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).replace(/\s+$/, '');
    if (flowDepth > 0) {
      flowDepth += bracketBalance(line);
      continue;
    }
    if (line.trim() === '') continue;
    const indentation = line.length - line.trimStart().length;
    if (blockScalarColumn !== undefined) {
      if (indentation > blockScalarColumn) continue;
      blockScalarColumn = undefined;
    }
    if (/^(---|\.\.\.)(\s|$)/.test(line)) {
      stack.length = 0;
      continue;
    }
    if (line.startsWith('%')) continue;
    const { dashes, content } = splitSequenceMarkers(line);
    openSequenceItems(stack, dashes);
    const rest = line.slice(content);
    const key = KEY_PATTERN.exec(rest);
    if (!key) {
      flowDepth = Math.max(0, bracketBalance(rest));
      continue;
    }
    while (stack.length > 0 && stack[stack.length - 1]!.column >= content) stack.pop();
    const inlineValue = rest.slice(key[0].length).trim();
    stack.push({ column: content, segment: unquoteKey(key[1]!), blockValue: inlineValue === '' });
    if (/^[|>][-+0-9]*$/.test(inlineValue)) blockScalarColumn = content;
    flowDepth = Math.max(0, bracketBalance(inlineValue));
  }
  return stack;
}

/** The end of the word that starts at or before `offset` on its line. */
function wordEnd(text: string, offset: number): number {
  let end = offset;
  while (end < text.length && WORD_CHARS.test(text[end] ?? '')) end++;
  return end;
}

export function locate(doc: ConfigDocument, offset: number): LocationInfo {
  const text = doc.text;
  const position = doc.positionAt(offset);
  const lineStart = offset - position.character;
  const lines = text.split(/\r\n|\r|\n/);
  const before = (lines[position.line] ?? '').slice(0, position.character);
  const stack = openEntriesBefore(lines, position.line);
  const pathOf = (entries: OpenEntry[]): ConfigPath => entries.map((entry) => entry.segment);
  const finish = (info: Omit<LocationInfo, 'node' | 'pair'>): LocationInfo => {
    const result: LocationInfo = { ...info };
    const node = findNode(doc, info.path);
    if (node) result.node = node;
    const last = info.path[info.path.length - 1];
    const pair = typeof last === 'string' && info.path.length > info.parentPath.length ? findPair(doc, info.path) : undefined;
    if (pair) result.pair = pair;
    return result;
  };

  const { dashes, content } = splitSequenceMarkers(before);
  const inComment = commentStart(before) >= 0;
  const rest = before.slice(content);
  const key = KEY_PATTERN.exec(rest);

  const entryColumn = dashes[0] ?? content;
  openSequenceItems(stack, dashes);
  if (dashes.length === 0) {
    while (stack.length > 0 && stack[stack.length - 1]!.column >= entryColumn) stack.pop();
  }

  if (!key) {
    // A key being typed (or a scalar sequence item after `- `).
    const start = lineStart + content;
    const end = wordEnd(text, offset);
    const parentPath = pathOf(stack);
    const word = text.slice(start, end);
    const keyText = /^[^\s]*$/.test(word) ? word : '';
    return finish({
      path: keyText ? [...parentPath, keyText] : parentPath,
      parentPath,
      kind: 'key',
      word: { start, end: keyText ? end : offset, text: keyText },
      indent: content,
      afterColon: false,
      inSequenceItem: dashes.length > 0,
      inComment,
    });
  }

  const keyName = unquoteKey(key[1]!);
  const keyPath = [...pathOf(stack), keyName];
  const valueText = rest.slice(key[0].length);
  const valueStart = lineStart + content + key[0].length;
  const afterColon = valueText === '' && !rest.endsWith(' ');
  const flowOpen = valueText.indexOf('[');
  if (flowOpen >= 0 && valueText.slice(0, flowOpen).trim() === '' && bracketBalance(valueText) > 0) {
    // Inside a flow sequence: the item index is the number of top-level commas before the cursor.
    const items = valueText.slice(flowOpen + 1);
    const lastComma = items.lastIndexOf(',');
    const index = items.split(',').length - 1;
    let start = valueStart + flowOpen + 1 + lastComma + 1;
    while (start < offset && (text[start] === ' ' || text[start] === '"' || text[start] === "'")) start++;
    const end = Math.max(start, wordEnd(text, Math.max(start, offset)));
    return finish({
      path: [...keyPath, index],
      parentPath: keyPath,
      kind: 'value',
      word: { start, end, text: text.slice(start, end) },
      indent: content,
      afterColon: false,
      inSequenceItem: true,
      inComment,
    });
  }
  let start = valueStart;
  while (text[start] === ' ' || text[start] === '\t') start++;
  if (text[start] === '"' || text[start] === "'") start++;
  if (start > offset) start = offset;
  const end = wordEnd(text, Math.max(start, offset));
  return finish({
    path: keyPath,
    parentPath: keyPath.slice(0, -1),
    kind: 'value',
    word: { start, end, text: text.slice(start, end) },
    indent: content,
    afterColon,
    inSequenceItem: false,
    inComment,
  });
}

export { isMap, isPair, isScalar, isSeq };
