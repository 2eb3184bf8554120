// A parsed *.nlp.yaml with source ranges: the one view of a config that every language feature reads.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { Position, Range } from 'vscode-languageserver-types';

/** A JSON-pointer-like path into the config: property names and array indexes. */
export type ConfigPath = (string | number)[];

export interface ConfigDocument {
  /** The file the text came from; relative paths in the config resolve against its folder. */
  readonly uri: string;
  readonly text: string;
  readonly yaml: Document.Parsed;
  /** The config as plain data (undefined for an empty document). */
  readonly value: unknown;
  readonly lineCounter: LineCounter;
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
  rangeOf(start: number, end: number): Range;
}

export function parseConfigDocument(uri: string, text: string): ConfigDocument {
  const lineCounter = new LineCounter();
  const yaml = parseDocument(text, { lineCounter, keepSourceTokens: false, prettyErrors: false, uniqueKeys: true });
  let value: unknown;
  try {
    value = yaml.toJS({ maxAliasCount: 100 });
  } catch {
    value = undefined; // alias bombs and similar: the syntax diagnostics already say what is wrong
  }
  const lineStarts = lineCounter.lineStarts;
  const positionAt = (offset: number): Position => {
    const clamped = Math.max(0, Math.min(offset, text.length));
    const { line, col } = lineCounter.linePos(clamped);
    return { line: line - 1, character: col - 1 };
  };
  const offsetAt = (position: Position): number => {
    if (position.line < 0) return 0;
    if (position.line >= lineStarts.length) return text.length;
    const lineStart = lineStarts[position.line] ?? 0;
    const nextLineStart = lineStarts[position.line + 1] ?? text.length;
    return Math.min(lineStart + Math.max(0, position.character), nextLineStart);
  };
  return {
    uri,
    text,
    yaml,
    value,
    lineCounter,
    positionAt,
    offsetAt,
    rangeOf: (start, end) => ({ start: positionAt(start), end: positionAt(end) }),
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
 * the cursor is on a key (or where a new key would go) or on a value.
 */
export interface LocationInfo {
  /** Path of the value the cursor is in, or of the map a new key would go into. */
  path: ConfigPath;
  kind: 'key' | 'value';
  /** The node under the cursor, when there is one. */
  node?: Node;
  /** The pair whose key or value is under the cursor. */
  pair?: Pair<unknown, unknown>;
}

export function locate(doc: ConfigDocument, offset: number): LocationInfo {
  const path: ConfigPath = [];
  let node: unknown = doc.yaml.contents;
  let result: LocationInfo = { path: [], kind: 'key' };
  for (;;) {
    if (isMap(node)) {
      let next: unknown;
      for (const pair of node.items) {
        const keyRange = (pair.key as Node | null)?.range;
        const valueNode = pair.value as Node | null;
        const valueRange = valueNode?.range;
        if (keyRange && offset >= keyRange[0] && offset <= keyRange[1]) {
          return { path: [...path, String((pair.key as { value?: unknown }).value)], kind: 'key', node: pair.key as Node, pair };
        }
        if (valueRange && offset >= valueRange[0] && offset <= valueRange[1] && isScalar(pair.key)) {
          path.push(String(pair.key.value));
          result = { path: [...path], kind: 'value', node: valueNode ?? undefined, pair };
          next = valueNode;
          break;
        }
      }
      if (next === undefined) return result.path.length === path.length ? result : { path: [...path], kind: 'key' };
      node = next;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => {
        const r = (item as Node | null)?.range;
        return r && offset >= r[0] && offset <= r[1];
      });
      if (index < 0) return { path: [...path], kind: 'value', node: node as Node };
      path.push(index);
      node = node.items[index];
      result = { path: [...path], kind: 'value', node: node as Node };
    } else {
      return { ...result, path: [...path] };
    }
  }
}

export { isMap, isPair, isScalar, isSeq };
