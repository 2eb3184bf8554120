// Completion for *.nlp.yaml: keys, whole-section snippets and values, all read from the config schema;
// file paths, data columns and local model folders read through the ConfigFileSystem.
import * as path from 'node:path';
import { stringify } from 'yaml';
import {
  CompletionItemKind,
  InsertTextFormat,
  InsertTextMode,
  type Command,
  type CompletionItem,
  type CompletionList,
  type MarkupContent,
  type Position,
  type Range,
} from 'vscode-languageserver-types';
import { repoIdFromCacheFolder } from '../huggingface/hubCache';
import { findNode, isMap, isScalar, locate, type ConfigDocument, type ConfigPath, type LocationInfo } from './configDocument';
import { readColumns } from '../data/dataHeader';
import { asDataFormat, dataFormatOf } from '../data/dataFormat';
import { configFolder, isGlobPattern, type ConfigFileSystem } from './fileSystem';
import { enumValues, facet, hasType, propertiesOf, schemaSetAt, typeNames, type PropertyInfo, type SchemaSet } from './schemaNavigation';

/**
 * Values the schema types only as strings but that name something on disk. The schema has no keyword
 * for "a path"; this table says which completion provider fills them, not what they mean.
 */
const VALUE_PROVIDERS: Record<string, 'file' | 'directory' | 'model-folder' | 'column'> = {
  'data.train': 'file',
  'data.validation': 'file',
  'model.vectors': 'file',
  'word2vec.init_from': 'file',
  'output.dir': 'directory',
  'model.pretrained': 'model-folder',
  'data.text_column': 'column',
  'data.label_column': 'column',
};

const TRIGGER_SUGGEST: Command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };
/** Bytes read from a data file to find its columns: a header row or one JSON line. */
const HEAD_BYTES = 8192;
/** Folders looked at when searching for local models, so a huge workspace cannot stall completion. */
const MAX_MODEL_SEARCH_FOLDERS = 200;

interface CompletionContext {
  doc: ConfigDocument;
  location: LocationInfo;
  offset: number;
  /** The range the chosen item replaces: the word under the cursor. */
  range: Range;
  /** Spaces per indentation level in this document. */
  indentUnit: string;
  /** Extra indentation for the 2nd+ lines of an insertion after `- ` (the editor adds the line's own). */
  continuationIndent: string;
}

export async function completion(doc: ConfigDocument, position: Position, fs: ConfigFileSystem): Promise<CompletionList> {
  const offset = doc.offsetAt(position);
  const location = locate(doc, offset);
  if (location.inComment) return { isIncomplete: false, items: [] };
  const lineStart = offset - position.character;
  const leading = /^[ \t]*/.exec(doc.text.slice(lineStart))?.[0].length ?? 0;
  const context: CompletionContext = {
    doc,
    location,
    offset,
    range: doc.rangeOf(location.word.start, location.word.end),
    indentUnit: ' '.repeat(indentUnitOf(doc.text)),
    continuationIndent: ' '.repeat(Math.max(0, location.indent - leading)),
  };
  const items = location.kind === 'key' ? await keyCompletions(context, fs) : await valueCompletions(context, location.path, fs);
  return { isIncomplete: false, items };
}

/** The indentation step the document already uses (2 when it has none yet). */
function indentUnitOf(text: string): number {
  const match = /^[^\s#-][^\n]*:[ \t]*\r?\n( +)\S/m.exec(text);
  return match ? match[1]!.length : 2;
}

function markdown(value: string | undefined): MarkupContent | undefined {
  return value ? { kind: 'markdown', value } : undefined;
}

function describe(set: SchemaSet): MarkupContent | undefined {
  return markdown(facet(set, 'markdownDescription') ?? facet(set, 'description'));
}

function isObjectSet(set: SchemaSet): boolean {
  return hasType(set, 'object') && !set.schemas.some((schema) => schema.type !== undefined && schema.type !== 'object');
}

function isArraySet(set: SchemaSet): boolean {
  return hasType(set, 'array') && !set.schemas.some((schema) => schema.type !== undefined && schema.type !== 'array');
}

function providerFor(valuePath: ConfigPath): (typeof VALUE_PROVIDERS)[string] | undefined {
  return VALUE_PROVIDERS[valuePath.filter((segment) => typeof segment === 'string').join('.')];
}

/** Multi-line text for an insertion: every line after the first is indented by `continuationIndent`. */
function indentContinuation(text: string, context: CompletionContext): string {
  return text.replace(/\n/g, `\n${context.continuationIndent}`);
}

/** A defaultSnippets body as YAML snippet text; `${1:x}` placeholders pass through stringify unquoted. */
function snippetText(body: unknown, context: CompletionContext): string {
  return stringify(body, { indent: context.indentUnit.length, lineWidth: 0 }).replace(/\n$/, '');
}

function sectionSnippet(key: string, body: unknown, context: CompletionContext): string {
  const text = snippetText(body, context);
  if (typeof body !== 'object' || body === null) return `${key}: ${text}`;
  return `${key}:\n${text.replace(/^/gm, context.indentUnit)}`;
}

/** A section's own defaultSnippets, or one built from its array/required children's snippets (training → stages). */
function sectionSnippets(property: PropertyInfo): { label: string; body: unknown; description?: string }[] {
  const own = facet(property.set, 'defaultSnippets');
  if (own) {
    return own.map((snippet) => ({
      label: snippet.label ?? bodySummary(snippet.body),
      body: snippet.body,
      ...(snippet.markdownDescription ? { description: snippet.markdownDescription } : {}),
    }));
  }
  if (!isObjectSet(property.set)) return [];
  const body: Record<string, unknown> = {};
  const labels: string[] = [];
  for (const child of propertiesOf(property.set, undefined)) {
    const childSnippet = facet(child.set, 'defaultSnippets')?.[0];
    if (!childSnippet || !(child.required || isArraySet(child.set))) continue;
    body[child.name] = childSnippet.body;
    labels.push(childSnippet.label ?? child.name);
  }
  return labels.length > 0 ? [{ label: labels.join(', '), body }] : [];
}

/** `metric: macro_f1, patience: 2`: a label for a snippet the schema gives no label. */
function bodySummary(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return scalarText(body);
  return Object.entries(body)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? '…' : scalarText(value)}`)
    .join(', ');
}

function presentKeys(doc: ConfigDocument, mapPath: ConfigPath): Set<string> {
  const node = findNode(doc, mapPath);
  const keys = new Set<string>();
  if (isMap(node)) for (const pair of node.items) if (isScalar(pair.key)) keys.add(String(pair.key.value));
  return keys;
}

async function keyCompletions(context: CompletionContext, fs: ConfigFileSystem): Promise<CompletionItem[]> {
  const { doc, location } = context;
  const mapPath = location.parentPath;
  const set = schemaSetAt(mapPath, doc.value);
  if (set.forbidden) return [];
  if (!set.schemas.some((schema) => schema.properties)) {
    // `- |` in a sequence of scalars: the item is a value, not a key.
    return location.inSequenceItem ? valueCompletions(context, mapPath, fs) : [];
  }
  const present = presentKeys(doc, mapPath);
  present.delete(location.word.text);
  const keyOnly = /^[ \t]*:/.test(doc.text.slice(location.word.end, location.word.end + 80)); // renaming an existing key: keep its `: value`
  const properties = propertiesOf(set, findNodeValue(doc, mapPath)).filter((property) => !present.has(property.name));
  const items: CompletionItem[] = [];
  properties.forEach((property, index) => {
    const order = `${property.required ? 0 : 1}${String(index).padStart(3, '0')}`;
    const withValues = !keyOnly && hasValueCompletions(property, [...mapPath, property.name]);
    let newText: string;
    if (keyOnly) newText = property.name;
    else if (isObjectSet(property.set)) newText = `${property.name}:\n${context.indentUnit}$0`;
    else if (isArraySet(property.set)) newText = `${property.name}:\n${context.indentUnit}- $0`;
    else newText = `${property.name}: `;
    const item: CompletionItem = {
      label: property.name,
      kind: isObjectSet(property.set) ? CompletionItemKind.Module : CompletionItemKind.Property,
      detail: typeNames(property.set).join(' | ') + (property.required ? ' (required)' : ''),
      sortText: order,
      filterText: property.name,
      textEdit: { range: context.range, newText: indentContinuation(newText, context) },
      insertTextFormat: newText.includes('$0') ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      insertTextMode: InsertTextMode.adjustIndentation,
    };
    const documentation = describe(property.set);
    if (documentation) item.documentation = documentation;
    if (withValues) item.command = TRIGGER_SUGGEST;
    items.push(item);
    if (keyOnly) return;
    for (const snippet of sectionSnippets(property)) {
      const text = sectionSnippet(property.name, snippet.body, context);
      items.push({
        label: `${property.name}: ${snippet.label}`,
        kind: CompletionItemKind.Snippet,
        detail: 'snippet',
        documentation: markdown([snippet.description ?? facet(property.set, 'markdownDescription'), '```yaml\n' + text.replace(/\$\{\d+:([^}]*)\}/g, '$1') + '\n```'].filter(Boolean).join('\n\n')),
        sortText: `${order}~`,
        filterText: property.name,
        textEdit: { range: context.range, newText: indentContinuation(text, context) },
        insertTextFormat: InsertTextFormat.Snippet,
        insertTextMode: InsertTextMode.adjustIndentation,
      });
    }
  });
  if (present.size === 0 && !keyOnly) items.push(...wholeValueSnippets(set, context));
  return items;
}

/** defaultSnippets of the map itself (a whole config at the root, a whole stage after `- `). */
function wholeValueSnippets(set: SchemaSet, context: CompletionContext): CompletionItem[] {
  return (facet(set, 'defaultSnippets') ?? []).map((snippet, i) => {
    const text = snippetText(snippet.body, context);
    const label = snippet.label ?? (context.location.parentPath.length > 0 ? `new ${itemNoun(context.location.parentPath)}` : 'config');
    const item: CompletionItem = {
      label,
      kind: CompletionItemKind.Snippet,
      detail: 'snippet',
      sortText: `2${String(i).padStart(3, '0')}`,
      filterText: context.location.word.text || label,
      textEdit: { range: context.range, newText: indentContinuation(text, context) },
      insertTextFormat: InsertTextFormat.Snippet,
      insertTextMode: InsertTextMode.adjustIndentation,
    };
    const documentation = markdown(snippet.markdownDescription ?? facet(set, 'markdownDescription'));
    if (documentation) item.documentation = documentation;
    return item;
  });
}

/** `stage` for an item of `stages`: the noun the outline and snippets use for one item. */
function itemNoun(itemPath: ConfigPath): string {
  const key = [...itemPath].reverse().find((segment) => typeof segment === 'string') ?? 'item';
  return key.endsWith('s') ? key.slice(0, -1) : key;
}

function findNodeValue(doc: ConfigDocument, mapPath: ConfigPath): unknown {
  let value = doc.value;
  for (const segment of mapPath) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
  return value;
}

function hasValueCompletions(property: PropertyInfo, valuePath: ConfigPath): boolean {
  return (
    enumValues(property.set).length > 0 ||
    hasType(property.set, 'boolean') ||
    facet(property.set, 'default') !== undefined ||
    facet(property.set, 'examples') !== undefined ||
    providerFor(valuePath) !== undefined
  );
}

function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function valueCompletions(context: CompletionContext, valuePath: ConfigPath, fs: ConfigFileSystem): Promise<CompletionItem[]> {
  const { doc, location } = context;
  const set = schemaSetAt(valuePath, doc.value);
  if (set.forbidden) return [];
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  const defaultValue = facet(set, 'default');
  const space = location.afterColon ? ' ' : '';
  const range = location.afterColon ? context.doc.rangeOf(context.offset, context.offset) : context.range;
  const add = (value: unknown, kind: CompletionItemKind, documentation?: string): void => {
    const text = scalarText(value);
    if (seen.has(text) || typeof value === 'object') return;
    seen.add(text);
    const isDefault = defaultValue !== undefined && scalarText(defaultValue) === text;
    const item: CompletionItem = {
      label: text,
      kind,
      sortText: `${isDefault ? 0 : 1}${String(items.length).padStart(3, '0')}`,
      textEdit: { range, newText: space + text },
      insertTextFormat: InsertTextFormat.PlainText,
    };
    if (isDefault) item.detail = 'default';
    const doc = markdown(documentation);
    if (doc) item.documentation = doc;
    items.push(item);
  };
  for (const { value, description } of enumValues(set)) add(value, CompletionItemKind.EnumMember, description);
  if (hasType(set, 'boolean')) for (const value of [true, false]) add(value, CompletionItemKind.Value);
  if (defaultValue !== undefined) add(defaultValue, CompletionItemKind.Value, facet(set, 'markdownDescription'));
  for (const example of facet(set, 'examples') ?? []) add(example, CompletionItemKind.Value);

  const provider = providerFor(valuePath);
  const folder = configFolder(doc);
  if (provider && folder) {
    const typed = doc.text.slice(location.word.start, Math.max(location.word.start, context.offset));
    if (provider === 'column') items.push(...(await columnCompletions(doc, folder, fs, range, space)));
    if (provider === 'model-folder') items.push(...(await modelFolderCompletions(folder, fs, range, space)), ...(await cachedHubModelCompletions(fs, range, space)));
    if (provider !== 'column') items.push(...(await pathCompletions(context, folder, fs, typed, provider === 'file' ? 'any' : 'directory', space)));
  }
  // A column called like the default (`label`) is offered once.
  return items.filter((item, i) => items.findIndex((other) => other.label === item.label) === i);
}

/** Entries of the folder the typed prefix names; an item replaces only the last path segment. */
async function pathCompletions(
  context: CompletionContext,
  folder: string,
  fs: ConfigFileSystem,
  typed: string,
  accept: 'any' | 'directory',
  space: string,
): Promise<CompletionItem[]> {
  const slash = typed.lastIndexOf('/');
  const directoryPart = typed.slice(0, slash + 1);
  const base = typed.slice(slash + 1);
  if (isGlobPattern(directoryPart)) return [];
  const start = context.location.afterColon ? context.offset : context.location.word.start + directoryPart.length;
  const range = context.doc.rangeOf(start, context.location.afterColon ? context.offset : context.location.word.end);
  const entries = await fs.readDirectory(path.resolve(folder, directoryPart || '.'));
  return entries
    .filter((entry) => (accept === 'any' || entry.kind === 'directory') && (!entry.name.startsWith('.') || base.startsWith('.')))
    .filter((entry) => entry.name !== 'node_modules')
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1))
    .map((entry, i) => {
      const label = entry.kind === 'directory' ? `${entry.name}/` : entry.name;
      const item: CompletionItem = {
        label,
        kind: entry.kind === 'directory' ? CompletionItemKind.Folder : CompletionItemKind.File,
        sortText: `5${String(i).padStart(4, '0')}`,
        filterText: label,
        textEdit: { range, newText: space + label },
        insertTextFormat: InsertTextFormat.PlainText,
      };
      if (entry.kind === 'directory') item.command = TRIGGER_SUGGEST;
      return item;
    });
}

function trainFile(doc: ConfigDocument): string | undefined {
  const data = findNodeValue(doc, ['data']);
  const train = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).train : undefined;
  const first = Array.isArray(train) ? (train[0] as unknown) : train;
  return typeof first === 'string' && first.length > 0 ? first : undefined;
}

/** Column names from the header row (CSV/TSV) or the first object (JSONL) of the training file. */
async function columnCompletions(doc: ConfigDocument, folder: string, fs: ConfigFileSystem, range: Range, space: string): Promise<CompletionItem[]> {
  const train = trainFile(doc);
  if (!train) return [];
  const file = isGlobPattern(train) ? (await fs.glob(train, folder)).sort()[0] : path.resolve(folder, train);
  if (!file) return [];
  const declared = findNodeValue(doc, ['data', 'format']);
  const format = dataFormatOf(file, asDataFormat(declared));
  if (format === 'text') return [];
  let head: string;
  try {
    head = await fs.readTextHead(file, HEAD_BYTES);
  } catch {
    return [];
  }
  // A JSON line cut short by HEAD_BYTES still names its fields.
  const firstLine = head.split(/\r\n|\r|\n/, 1)[0] ?? '';
  const columns = readColumns(head, format) ?? (format === 'jsonl' ? [...firstLine.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)].map((match) => match[1]!) : []);
  const source = path.relative(folder, file);
  return columns
    .filter((column) => column.length > 0)
    .map((column, i) => ({
      label: column,
      kind: CompletionItemKind.Field,
      detail: `column of ${source}`,
      sortText: `3${String(i).padStart(3, '0')}`,
      textEdit: { range, newText: space + column },
      insertTextFormat: InsertTextFormat.PlainText,
    }));
}

/** Folders up to two levels under the config folder that hold a Hugging Face `config.json`. */
/** The Hub models the Hugging Face cache holds (Python's downloads included): they work offline. */
async function cachedHubModelCompletions(fs: ConfigFileSystem, range: Range, space: string): Promise<CompletionItem[]> {
  const cache = fs.huggingfaceCache;
  if (cache === undefined) return [];
  const ids = (await fs.readDirectory(cache.dir)).flatMap((entry) => {
    const id = entry.kind === 'directory' ? repoIdFromCacheFolder(entry.name) : undefined;
    return id === undefined ? [] : [id];
  });
  return ids.sort().map((id, i) => ({
    label: id,
    kind: CompletionItemKind.Module,
    detail: 'Hugging Face cache',
    documentation: markdown(`\`${id}\` from the Hugging Face cache (\`${cache.dir}\`): used offline, as Python's transformers uses it.`),
    sortText: `5${String(i).padStart(3, '0')}`,
    filterText: id,
    textEdit: { range, newText: space + id },
    insertTextFormat: InsertTextFormat.PlainText,
  }));
}

async function modelFolderCompletions(folder: string, fs: ConfigFileSystem, range: Range, space: string): Promise<CompletionItem[]> {
  const visible = (entry: { name: string; kind: string }): boolean =>
    entry.kind === 'directory' && !entry.name.startsWith('.') && entry.name !== 'node_modules';
  const topLevel = (await fs.readDirectory(folder)).filter(visible).slice(0, MAX_MODEL_SEARCH_FOLDERS);
  const candidates = await Promise.all(
    topLevel.map(async (top) => {
      const entries = await fs.readDirectory(path.join(folder, top.name));
      const nested = entries.filter(visible).slice(0, MAX_MODEL_SEARCH_FOLDERS);
      const found: { relative: string; files: string[] }[] = [{ relative: top.name, files: entries.filter((e) => e.kind === 'file').map((e) => e.name) }];
      const inner = await Promise.all(
        nested.map(async (child) => ({
          relative: `${top.name}/${child.name}`,
          files: (await fs.readDirectory(path.join(folder, top.name, child.name))).filter((e) => e.kind === 'file').map((e) => e.name),
        })),
      );
      return [...found, ...inner];
    }),
  );
  return candidates
    .flat()
    .filter((candidate) => candidate.files.includes('config.json'))
    .sort((a, b) => a.relative.localeCompare(b.relative))
    .map((candidate, i) => ({
      label: candidate.relative,
      kind: CompletionItemKind.Folder,
      detail: 'local model',
      documentation: markdown(
        `Hugging Face folder with ${candidate.files.filter((f) => /^(config\.json|tokenizer\.json|vocab\.txt|model\.safetensors)$/.test(f)).map((f) => `\`${f}\``).join(', ')}`,
      ),
      sortText: `4${String(i).padStart(3, '0')}`,
      filterText: candidate.relative,
      textEdit: { range, newText: space + candidate.relative },
      insertTextFormat: InsertTextFormat.PlainText,
    }));
}

