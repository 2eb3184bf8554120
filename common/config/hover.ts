// Hover for *.nlp.yaml: a key's documentation and constraints, or an enum value's meaning, from the schema.
import { MarkupKind, type Hover, type Position, type Range } from 'vscode-languageserver-types';
import { locate, type ConfigDocument, type ConfigPath } from './configDocument';
import { enumValues, facet, rangeText, schemaSetAt, typeNames, type SchemaSet } from './schemaNavigation';

export function hover(doc: ConfigDocument, position: Position): Hover | null {
  const location = locate(doc, doc.offsetAt(position));
  if (location.inComment || location.word.text === '') return null;
  const range = doc.rangeOf(location.word.start, location.word.end);
  if (location.kind === 'key') {
    const keyPath = [...location.parentPath, location.word.text];
    const keySet = schemaSetAt(keyPath, doc.value);
    // `- value` in a sequence of scalars reads like a key to the locator: it is a value of the item.
    if (keySet.schemas.length === 0 && location.inSequenceItem) return valueHover(location.parentPath, location.word.text, doc, range);
    const value = keyDocumentation(location.word.text, keySet);
    return value ? { contents: { kind: MarkupKind.Markdown, value }, range } : null;
  }
  return valueHover(location.path, location.word.text, doc, range);
}

function valueHover(valuePath: ConfigPath, word: string, doc: ConfigDocument, range: Range): Hover | null {
  const set = schemaSetAt(valuePath, doc.value);
  const allowed = enumValues(set).find((entry) => String(entry.value) === word);
  if (allowed) {
    const text = allowed.description ? `\`${word}\`: ${allowed.description}` : `\`${word}\``;
    return { contents: { kind: MarkupKind.Markdown, value: text }, range };
  }
  const key = valuePath[valuePath.length - 1];
  const value = keyDocumentation(typeof key === 'string' ? key : String(valuePath[valuePath.length - 2] ?? ''), set);
  return value ? { contents: { kind: MarkupKind.Markdown, value }, range } : null;
}

/** The schema's text for a key: its description, then type, default, range and allowed values. */
export function keyDocumentation(key: string, set: SchemaSet): string | undefined {
  if (set.schemas.length === 0) return undefined;
  const description = facet(set, 'markdownDescription') ?? facet(set, 'description');
  const facts: string[] = [];
  const types = typeNames(set);
  if (types.length > 0) facts.push(`Type: \`${types.join(' | ')}\``);
  const defaultValue = facet(set, 'default');
  if (defaultValue !== undefined) facts.push(`Default: \`${JSON.stringify(defaultValue)}\``);
  const range = rangeText(set);
  if (range) facts.push(`Range: \`${range}\``);
  const parts = [`**${key}**`];
  if (description) parts.push(description);
  if (facts.length > 0) parts.push(facts.join(' · '));
  const deprecation = facet(set, 'deprecationMessage');
  if (deprecation) parts.push(`Deprecated: ${deprecation}`);
  if (set.forbidden) parts.push('Not used with this config\'s `task`.');
  const allowed = enumValues(set);
  if (allowed.length > 0) {
    parts.push(['Allowed values:', ...allowed.map(({ value, description: meaning }) => `- \`${String(value)}\`${meaning ? `: ${meaning}` : ''}`)].join('\n'));
  }
  const examples = facet(set, 'examples');
  if (examples && examples.length > 0) parts.push(`Examples: ${examples.map((example) => `\`${String(example)}\``).join(', ')}`);
  return parts.join('\n\n');
}
