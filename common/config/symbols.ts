// The outline of a *.nlp.yaml: sections, keys and stages, with the ranges the editor selects and folds.
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-types';
import type { Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { isMap, isScalar, isSeq, type ConfigDocument } from './configDocument';

export function documentSymbols(doc: ConfigDocument): DocumentSymbol[] {
  const root = doc.yaml.contents;
  return isMap(root) ? mapSymbols(doc, root, 0) : [];
}

function mapSymbols(doc: ConfigDocument, map: YAMLMap, depth: number): DocumentSymbol[] {
  return map.items.flatMap((pair) => {
    const symbol = pairSymbol(doc, pair as Pair<Node | null, Node | null>, depth);
    return symbol ? [symbol] : [];
  });
}

function pairSymbol(doc: ConfigDocument, pair: Pair<Node | null, Node | null>, depth: number): DocumentSymbol | undefined {
  const key = pair.key;
  if (!isScalar(key) || !key.range) return undefined;
  const name = String(key.value) || '""';
  const value = pair.value;
  const start = key.range[0];
  // An empty or multi-line key can end in line breaks: neither range may end after its last character.
  const keyEnd = trimEnd(doc, start, key.range[1]);
  const end = trimEnd(doc, keyEnd, value?.range?.[1] ?? keyEnd);
  const symbol: DocumentSymbol = {
    name,
    kind: kindOf(value, depth),
    range: doc.rangeOf(start, end),
    selectionRange: doc.rangeOf(start, keyEnd),
  };
  if (isMap(value)) symbol.children = mapSymbols(doc, value, depth + 1);
  else if (isSeq(value)) {
    symbol.detail = `${value.items.length} item${value.items.length === 1 ? '' : 's'}`;
    symbol.children = sequenceSymbols(doc, value, name, depth + 1);
  } else if (isScalar(value)) symbol.detail = String(value.value);
  return symbol;
}

/** Items of `stages` read `stage 1: head`; scalar items show their value. */
function sequenceSymbols(doc: ConfigDocument, seq: YAMLSeq, key: string, depth: number): DocumentSymbol[] {
  const noun = key.endsWith('s') ? key.slice(0, -1) : key;
  return seq.items.flatMap((item, index) => {
    const node = item as Node | null;
    if (!node?.range) return [];
    const range = doc.rangeOf(node.range[0], trimEnd(doc, node.range[0], node.range[1]));
    if (isMap(node)) {
      const itemName = node.get('name');
      const label = `${noun} ${index + 1}${isScalar(itemName) || typeof itemName === 'string' ? `: ${String(isScalar(itemName) ? itemName.value : itemName)}` : ''}`;
      return [{ name: label, kind: SymbolKind.Object, range, selectionRange: range, children: mapSymbols(doc, node, depth + 1) }];
    }
    const name = isScalar(node) ? String(node.value) : `${noun} ${index + 1}`;
    return [{ name: name || '""', kind: kindOf(node, depth), range, selectionRange: range }];
  });
}

/** Block collections end after their last line break: an outline entry ends with its last character (not before `start`). */
function trimEnd(doc: ConfigDocument, start: number, end: number): number {
  while (end > start && /\s/.test(doc.text[end - 1] ?? '')) end--;
  return Math.max(start, end);
}

function kindOf(node: Node | null, depth: number): SymbolKind {
  if (isMap(node)) return depth === 0 ? SymbolKind.Module : SymbolKind.Object;
  if (isSeq(node)) return SymbolKind.Array;
  const value: unknown = isScalar(node) ? node.value : null;
  if (typeof value === 'number') return SymbolKind.Number;
  if (typeof value === 'boolean') return SymbolKind.Boolean;
  if (value === null) return SymbolKind.Null;
  return SymbolKind.String;
}
