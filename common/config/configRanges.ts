// Where a diagnostic about a config path goes: on a key, on a value, or on the first line of a map.
import type { Range } from 'vscode-languageserver-types';
import { findNode, findPair, isMap, isScalar, isSeq, type ConfigDocument, type ConfigPath } from './configDocument';
import type { Node } from 'yaml';

/** `training.stages[0].learning_rate`; the empty path is the top level. */
export function formatPath(path: ConfigPath): string {
  let result = '';
  for (const segment of path) result += typeof segment === 'number' ? `[${segment}]` : result ? `.${segment}` : segment;
  return result;
}

/** A JSON pointer from ajv (`/training/stages/0`) as a config path, with indexes where the data has arrays. */
export function pointerToPath(pointer: string, value: unknown): ConfigPath {
  if (!pointer) return [];
  const path: ConfigPath = [];
  let current: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      path.push(Number(segment));
      current = current[Number(segment)];
    } else {
      path.push(segment);
      current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

function spanRange(doc: ConfigDocument, node: Node | null | undefined): Range | undefined {
  const range = node?.range;
  if (!range) return undefined;
  // Block collections end after their last newline: stop at the last character that is not blank.
  let end = range[1];
  while (end > range[0] && /\s/.test(doc.text.charAt(end - 1))) end--;
  return doc.rangeOf(range[0], end);
}

/** The first key of the document: where top-level diagnostics go. */
export function topLevelRange(doc: ConfigDocument): Range {
  const contents = doc.yaml.contents;
  if (isMap(contents) && contents.items.length > 0) {
    const first = spanRange(doc, contents.items[0]?.key);
    if (first) return first;
  }
  return doc.rangeOf(0, 0); // no key yet (perhaps only comments): the start of the document
}

/** The key of the entry at `path`; for an array item, its first key or its first line. */
export function keyRange(doc: ConfigDocument, path: ConfigPath): Range {
  if (path.length === 0) return topLevelRange(doc);
  const last = path[path.length - 1];
  if (typeof last === 'string') {
    const pair = findPair(doc, path);
    const range = spanRange(doc, pair?.key);
    if (range) return range;
    return keyRange(doc, path.slice(0, -1));
  }
  const item = findNode(doc, path);
  if (isMap(item) && !item.flow && item.items.length > 0) {
    const first = spanRange(doc, item.items[0]?.key as Node | null);
    if (first) return first;
  }
  return spanRange(doc, item) ?? keyRange(doc, path.slice(0, -1));
}

/** The value at `path`; a multi-line block value is represented by its key. */
export function valueRange(doc: ConfigDocument, path: ConfigPath): Range {
  const node = findNode(doc, path);
  if (node && (isScalar(node) || ((isMap(node) || isSeq(node)) && node.flow))) {
    const range = spanRange(doc, node);
    // an empty value (`model:` with nothing after it) has no width: show its key instead
    const empty = range && range.start.line === range.end.line && range.start.character === range.end.character;
    if (range && !empty) return range;
  }
  if (path.length === 0 && node && !isMap(node)) return spanRange(doc, node) ?? topLevelRange(doc);
  return keyRange(doc, path);
}
