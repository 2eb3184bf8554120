// Generates, from common/schema/nlp-config.schema.json (the single source), the TypeScript config types and the
// Markdown config reference. `npm run generate` writes them; test/unit/generated.test.ts fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const schemaPath = join(root, 'common', 'schema', 'nlp-config.schema.json');
export const typesPath = join(root, 'common', 'schema', 'config.generated.ts');
export const referencePath = join(root, 'docs', 'config-reference.md');

const SOURCE = relative(root, schemaPath);
const COMMAND = 'npm run generate';

/** Interface names for the object sections, by JSON pointer into the schema. */
const TYPE_NAMES = {
  '/properties/model': 'Model',
  '/properties/data': 'Data',
  '/properties/training': 'Training',
  '/properties/training/properties/early_stopping': 'EarlyStopping',
  '/definitions/stage': 'Stage',
  '/properties/word2vec': 'Word2Vec',
  '/properties/output': 'Output',
};

export function readSchema() {
  return JSON.parse(readFileSync(schemaPath, 'utf8'));
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every schema node with its JSON pointer, its dotted config path and its kind:
 * 'root', 'property', 'items', 'variant' (of an anyOf) or 'definition'.
 */
export function* walkSchema(node, pointer = '', path = '', kind = 'root') {
  if (!isObject(node)) return;
  yield { node, pointer, path, kind };
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    yield* walkSchema(child, `${pointer}/properties/${key}`, path ? `${path}.${key}` : key, 'property');
  }
  if (isObject(node.items)) yield* walkSchema(node.items, `${pointer}/items`, `${path}[]`, 'items');
  for (const [i, variant] of (node.anyOf ?? []).entries()) yield* walkSchema(variant, `${pointer}/anyOf/${i}`, path, 'variant');
  for (const [key, child] of Object.entries(node.definitions ?? {})) {
    yield* walkSchema(child, `/definitions/${key}`, `#/definitions/${key}`, 'definition');
  }
}

/** A copy of the schema shaped for json-schema-to-typescript: docs from markdownDescription, named sections, no editor-only keywords. */
function schemaForTypes(schema) {
  const copy = structuredClone(schema);
  // The task-dependent rules (allOf/if/then) would turn the root type into an intersection with an index signature.
  delete copy.allOf;
  for (const { node, pointer } of walkSchema(copy)) {
    if (node.markdownDescription) node.description = node.markdownDescription;
    delete node.markdownDescription;
    delete node.enumDescriptions;
    delete node.defaultSnippets;
    if (pointer === '') node.title = 'NlpConfig';
    else if (TYPE_NAMES[pointer]) node.title = TYPE_NAMES[pointer];
    else delete node.title;
  }
  return copy;
}

/** The TypeScript types of a config, as the text of common/schema/config.generated.ts. */
export async function generateTypes(schema = readSchema()) {
  const banner = [
    '/* eslint-disable */',
    `// Generated from ${SOURCE} by \`${COMMAND}\` (scripts/generate-schema-artifacts.mjs).`,
    '// Do not edit: change the schema and regenerate. test/unit/generated.test.ts fails when this file is stale.',
  ].join('\n');
  const types = await compile(schemaForTypes(schema), 'NlpConfig', {
    bannerComment: banner,
    additionalProperties: false,
    ignoreMinAndMaxItems: true,
    unknownAny: true,
    strictIndexSignatures: true,
    unreachableDefinitions: false,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
  return `${types}\n${defaultedKeys(schema)}`;
}

/**
 * For each section's interface, the union of its keys that have a schema `default`: what
 * engine/config/schemaDefaults.ts fills in, so the engine's resolved config type can make exactly
 * those keys required without restating them.
 */
function defaultedKeys(schema) {
  const names = { '': 'NlpConfig', ...TYPE_NAMES };
  const nodes = new Map([...walkSchema(schema)].map(({ node, pointer }) => [pointer, node]));
  const rows = Object.entries(names).map(([pointer, name]) => {
    const keys = Object.entries(nodes.get(pointer)?.properties ?? {})
      .filter(([, property]) => isObject(property) && property.default !== undefined)
      .map(([key]) => `'${key}'`);
    return `  ${name}: ${keys.length > 0 ? keys.join(' | ') : 'never'};`;
  });
  return [
    '/**',
    ' * Per section interface: the keys with a schema `default` (engine/config/schemaDefaults.ts fills them in).',
    ' */',
    'export interface SchemaDefaultedKeys {',
    ...rows,
    '}',
    '',
  ].join('\n');
}

/** For each top-level key: the tasks it applies to and the tasks that require it, read from the schema's allOf/if/then rules. */
export function taskApplicability(schema) {
  const tasks = schema.properties.task.enum;
  const result = {};
  for (const key of Object.keys(schema.properties)) {
    result[key] = { appliesTo: [...tasks], requiredBy: schema.required?.includes(key) ? [...tasks] : [] };
  }
  for (const rule of schema.allOf ?? []) {
    const task = rule.if?.properties?.task?.const;
    if (!task || !rule.then) continue;
    for (const [key, allowed] of Object.entries(rule.then.properties ?? {})) {
      if (allowed === false && result[key]) result[key].appliesTo = result[key].appliesTo.filter((t) => t !== task);
    }
    for (const key of rule.then.required ?? []) {
      if (result[key] && !result[key].requiredBy.includes(task)) result[key].requiredBy.push(task);
    }
  }
  return result;
}

function code(value) {
  return '`' + (typeof value === 'string' ? value : JSON.stringify(value)) + '`';
}

function resolve(schema, node) {
  if (node?.$ref?.startsWith('#/definitions/')) return schema.definitions[node.$ref.slice('#/definitions/'.length)];
  return node;
}

function typeName(schema, node) {
  if (node.$ref) return TYPE_NAMES[node.$ref.slice(1)] ?? 'object';
  if (node.anyOf) return node.anyOf.map((n) => typeName(schema, n)).join(' \\| ');
  if (node.type === 'array') return isObject(node.items) ? `${typeName(schema, node.items)}[]` : 'array';
  if (node.enum && !node.type) return 'enum';
  return Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'any');
}

function rangeOf(node) {
  const low = node.minimum !== undefined ? [node.minimum, '≤'] : node.exclusiveMinimum !== undefined ? [node.exclusiveMinimum, '<'] : undefined;
  const high = node.maximum !== undefined ? ['≤', node.maximum] : node.exclusiveMaximum !== undefined ? ['<', node.exclusiveMaximum] : undefined;
  const parts = [];
  if (low && high) parts.push(`${low.join(' ')} value ${high.join(' ')}`);
  else if (low) parts.push(`value ${low[1] === '≤' ? '≥' : '>'} ${low[0]}`);
  else if (high) parts.push(`value ${high.join(' ')}`);
  const length = countRange(node.minLength, node.maxLength, 'character');
  if (length) parts.push(length);
  const items = countRange(node.minItems, node.maxItems, 'item');
  if (items) parts.push(items);
  if (node.uniqueItems) parts.push('no duplicates');
  if (node.pattern) parts.push(`matches ${code(node.pattern)}`);
  return parts.join('; ');
}

function countRange(min, max, unit) {
  if (min === undefined && max === undefined) return '';
  if (max === undefined) return min === 1 ? `not empty` : `at least ${min} ${unit}s`;
  return `${min ?? 0}–${max} ${unit}s`;
}

/** The documented facts of one key, as Markdown lines. */
function describeKey(schema, path, node, required) {
  const target = resolve(schema, node);
  const lines = [`### \`${path}\``, ''];
  const facts = [`- **Type:** ${typeName(schema, node)}${required ? ' (required)' : ''}`];
  if (target.default !== undefined) facts.push(`- **Default:** ${code(target.default)}`);
  const range = rangeOf(target);
  if (range) facts.push(`- **Range:** ${range}`);
  const enumNode = target.enum ? target : isObject(target.items) && target.items.enum ? target.items : undefined;
  if (enumNode) {
    facts.push('- **Allowed values:**');
    enumNode.enum.forEach((value, i) => {
      const description = enumNode.enumDescriptions?.[i];
      facts.push(`  - ${code(value)}${description ? `: ${description}` : ''}`);
    });
  }
  if (target.examples) facts.push(`- **Examples:** ${target.examples.map(code).join(', ')}`);
  lines.push(...facts, '');
  if (target.markdownDescription) lines.push(target.markdownDescription, '');
  return lines;
}

/** Markdown for an object's keys, recursing into nested objects and arrays of objects. */
function describeProperties(schema, node, prefix) {
  const lines = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = `${prefix}${key}`;
    lines.push(...describeKey(schema, path, child, node.required?.includes(key) ?? false));
    const target = resolve(schema, child);
    if (target.type === 'object' && target.properties) lines.push(...describeProperties(schema, target, `${path}.`));
    const item = isObject(target.items) ? resolve(schema, target.items) : undefined;
    if (item?.type === 'object' && item.properties) {
      if (item.markdownDescription) lines.push(`Each item of \`${path}\`: ${item.markdownDescription}`, '');
      lines.push(...describeProperties(schema, item, `${path}[].`));
    }
  }
  return lines;
}

/** The Markdown config reference, as the text of docs/config-reference.md. */
export function generateReference(schema = readSchema()) {
  const tasks = schema.properties.task.enum;
  const applicability = taskApplicability(schema);
  const taskList = (list) => (list.length === tasks.length ? 'all tasks' : list.map(code).join(', ') || 'none');
  const lines = [
    `<!-- Generated from ${SOURCE} by \`${COMMAND}\`. Do not edit: change the schema and regenerate. -->`,
    '',
    '# Config reference',
    '',
    schema.markdownDescription ?? schema.description ?? '',
    '',
    '## Top-level keys',
    '',
    '| Key | Type | Applies to | Required for |',
    '| --- | --- | --- | --- |',
  ];
  for (const [key, node] of Object.entries(schema.properties)) {
    const { appliesTo, requiredBy } = applicability[key];
    lines.push(`| [\`${key}\`](#${key}) | ${typeName(schema, node)} | ${taskList(appliesTo)} | ${requiredBy.length ? taskList(requiredBy) : '—'} |`);
  }
  lines.push('');
  for (const [key, node] of Object.entries(schema.properties)) {
    const { appliesTo } = applicability[key];
    lines.push(`## ${key}`, '');
    lines.push(`Applies to: ${taskList(appliesTo)}.`, '');
    lines.push(...describeKey(schema, key, node, false).slice(2));
    if (node.type === 'object') lines.push(...describeProperties(schema, node, `${key}.`));
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

async function main() {
  const schema = readSchema();
  writeFileSync(typesPath, await generateTypes(schema));
  writeFileSync(referencePath, generateReference(schema));
  console.log(`wrote ${relative(root, typesPath)} and ${relative(root, referencePath)}`);
}

// No top-level await: the CommonJS tests require() this module.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
