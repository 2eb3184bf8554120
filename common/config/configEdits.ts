// Text edits that add or remove keys in a config while keeping its layout and comments: new entries
// go after the map's last line at the map's indentation; removals take whole lines.
import { isScalar, stringify, type Node } from 'yaml';
import { TextEdit } from 'vscode-languageserver-types';
import { configSchema, type JsonSchema } from '../schema';
import { findNode, findPair, isMap, isSeq, type ConfigDocument, type ConfigPath } from './configDocument';
import { resolveSchema, schemaAt } from './schemaDiagnostics';

/** Where new entries of the map at `path` go, and how to write them; undefined when there is no such map. */
interface MapInsertion {
  offset: number;
  /** Builds the text for new entries (a record of key → value). */
  render(entries: Record<string, unknown>): string;
}

function lastContentOffset(doc: ConfigDocument, start: number, end: number): number {
  let offset = end;
  while (offset > start && /\s/.test(doc.text.charAt(offset - 1))) offset--;
  return offset;
}

/** The document's own line break (its first one), so inserted lines match the lines around them. */
function lineBreakOf(doc: ConfigDocument): string {
  return /\r\n|\r|\n/.exec(doc.text)?.[0] ?? '\n';
}

function indentedBlock(entries: Record<string, unknown>, indent: string, lineBreak: string): string {
  const text = stringify(entries, { indent: 2, lineWidth: 0 });
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => indent + line)
    .join(lineBreak);
}

function mapInsertion(doc: ConfigDocument, path: ConfigPath): MapInsertion | undefined {
  const node = path.length === 0 ? (doc.yaml.contents ?? undefined) : findNode(doc, path);
  const br = lineBreakOf(doc);
  if (path.length === 0 && node === undefined) {
    // an empty document (perhaps only comments): entries start at column 0 after the text
    const needsNewline = doc.text.length > 0 && !/[\r\n]$/.test(doc.text);
    return { offset: doc.text.length, render: (entries) => `${needsNewline ? br : ''}${indentedBlock(entries, '', br)}${br}` };
  }
  if (!isMap(node) || !node.range) return undefined;
  if (node.flow) {
    const close = lastContentOffset(doc, node.range[0], node.range[1]) - 1;
    if (doc.text.charAt(close) !== '}') return undefined;
    const separator = node.items.length > 0 ? ', ' : '';
    return {
      offset: close,
      render: (entries) =>
        separator +
        Object.entries(entries)
          .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
          .join(', '),
    };
  }
  const first = node.items[0];
  const last = node.items[node.items.length - 1];
  const firstKey = first?.key as Node | null | undefined;
  if (!firstKey?.range || !last) return undefined;
  const indent = ' '.repeat(doc.positionAt(firstKey.range[0]).character);
  const lastNode = ((last.value as Node | null) ?? (last.key as Node | null));
  const lastEnd = lastNode?.range ? lastContentOffset(doc, lastNode.range[0], lastNode.range[1]) : firstKey.range[1];
  const line = doc.lineAt(lastEnd);
  if (line.end === line.next) return { offset: line.end, render: (entries) => `${br}${indentedBlock(entries, indent, br)}` }; // the last line, no break after it
  return { offset: line.next, render: (entries) => `${indentedBlock(entries, indent, br)}${br}` };
}

/** `${1:text}` → `text` in a defaultSnippets body. */
function stripSnippet(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '');
  if (Array.isArray(value)) return value.map(stripSnippet);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripSnippet(v)]));
  return value;
}

/** A value for a new key: the schema default, an example from a snippet, or a typed placeholder. */
export function placeholderValue(parentSchema: JsonSchema | undefined, key: string): unknown {
  const schema = resolveSchema(parentSchema?.properties?.[key]);
  if (schema?.default !== undefined) return schema.default;
  for (const snippet of parentSchema?.defaultSnippets ?? []) {
    const body = snippet.body as Record<string, unknown> | undefined;
    if (body && typeof body === 'object' && key in body) return stripSnippet(body[key]);
  }
  const own = schema?.defaultSnippets?.[0]?.body;
  if (own !== undefined) return stripSnippet(own);
  return typedPlaceholder(schema);
}

function typedPlaceholder(schema: JsonSchema | undefined): unknown {
  if (!schema) return '';
  if (schema.enum?.[0] !== undefined) return schema.enum[0];
  if (schema.examples?.[0] !== undefined) return schema.examples[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : (schema.type ?? schema.anyOf?.[0]?.type);
  switch (type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((required) => [required, placeholderValue(schema, required)]));
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return schema.minimum ?? schema.exclusiveMinimum ?? 0;
    case 'boolean':
      return false;
    default:
      return '';
  }
}

/** Adds `key` to the map at `path`, with `value` or a placeholder from the schema. */
export function insertKeyEdit(doc: ConfigDocument, path: ConfigPath, key: string, value?: unknown): TextEdit | undefined {
  const insertion = mapInsertion(doc, path);
  if (!insertion) return undefined;
  return TextEdit.insert(doc.positionAt(insertion.offset), insertion.render({ [key]: value === undefined ? placeholderValue(schemaAt(path), key) : value }));
}

/** Removes the entry at `path` (a key with its value, or a list item), whole lines where it has them. */
export function removeEntryEdit(doc: ConfigDocument, path: ConfigPath): TextEdit | undefined {
  const last = path[path.length - 1];
  let start: number | undefined;
  let end: number | undefined;
  if (typeof last === 'string') {
    const pair = findPair(doc, path);
    const keyRange = pair?.key.range;
    if (!pair || !keyRange || !isScalar(pair.key)) return undefined;
    start = keyRange[0];
    end = pair.value?.range ? lastContentOffset(doc, pair.value.range[0], pair.value.range[1]) : keyRange[1];
  } else if (typeof last === 'number') {
    const parent = findNode(doc, path.slice(0, -1));
    const item = isSeq(parent) ? (parent.items[last] as Node | null) : undefined;
    if (!item?.range) return undefined;
    start = item.range[0];
    end = lastContentOffset(doc, item.range[0], item.range[1]);
    const dash = doc.text.lastIndexOf('-', start);
    if (!isSeq(parent) || parent.flow !== true) start = dash >= 0 && doc.text.slice(dash + 1, start).trim() === '' ? dash : start;
  }
  if (start === undefined || end === undefined) return undefined;
  const lineStart = doc.lineAt(start).start;
  const ownLine = doc.text.slice(lineStart, start).trim() === '';
  if (!ownLine) return TextEdit.del(doc.rangeOf(start, end));
  return TextEdit.del(doc.rangeOf(lineStart, doc.lineAt(end).next));
}

/** Model keys that only mean something for one model type (the schema keeps one flat `model` section). */
const MODEL_TYPE_KEYS: Record<string, string> = { pooling: 'embedding-classifier', hidden_size: 'embedding-classifier' };

/** Schema defaults for keys missing from every map present in the config; one edit per insertion point. */
export function fillDefaultsEdits(doc: ConfigDocument): TextEdit[] {
  const pending: { offset: number; depth: number; text: string }[] = [];
  const task = (doc.value as { task?: unknown } | undefined)?.task;
  const visit = (value: unknown, schema: JsonSchema | undefined, path: ConfigPath): void => {
    if (!schema || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, resolveSchema(schema.items), [...path, index]));
      return;
    }
    const present = value as Record<string, unknown>;
    const missing: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      const propertySchema = resolveSchema(property);
      if (key in present) {
        visit(present[key], propertySchema, [...path, key]);
        continue;
      }
      if (propertySchema?.default === undefined) continue;
      if (path[0] === 'model' && MODEL_TYPE_KEYS[key] && MODEL_TYPE_KEYS[key] !== (present.type ?? 'bert')) continue;
      if (path[0] === 'data' && key === 'label_column' && task !== 'text-classification') continue;
      missing[key] = propertySchema.default;
    }
    if (Object.keys(missing).length === 0) return;
    const insertion = mapInsertion(doc, path);
    if (insertion) pending.push({ offset: insertion.offset, depth: path.length, text: insertion.render(missing) });
  };
  if (typeof doc.value === 'object' && doc.value !== null && !Array.isArray(doc.value)) visit(doc.value, configSchema, []);
  // Entries for nested maps and their parents can share an offset: the deeper ones come first.
  pending.sort((a, b) => a.offset - b.offset || b.depth - a.depth);
  const merged: { offset: number; text: string }[] = [];
  for (const { offset, text } of pending) {
    const previous = merged[merged.length - 1];
    if (previous && previous.offset === offset) previous.text += text;
    else merged.push({ offset, text });
  }
  return merged.map(({ offset, text }) => TextEdit.insert(doc.positionAt(offset), text));
}
