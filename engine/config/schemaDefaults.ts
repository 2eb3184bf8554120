// Fills a config's missing values with the schema's `default`s: the schema stays the one place defaults live.
import { configSchema, type JsonSchema } from '../../common/schema';
import type { ResolvedData } from './resolvedConfig';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function deref(schema: JsonSchema | boolean | undefined): JsonSchema | undefined {
  if (typeof schema !== 'object') return undefined;
  if (!schema.$ref) return schema;
  const name = /^#\/definitions\/(.+)$/.exec(schema.$ref)?.[1];
  return name ? configSchema.definitions?.[name] : undefined;
}

/** Top-level sections the schema forbids for this task (`then: { properties: { model: false } }`). */
function forbiddenSections(task: unknown): Set<string> {
  const forbidden = new Set<string>();
  for (const rule of configSchema.allOf ?? []) {
    if (rule.if?.properties?.task && (rule.if.properties.task as JsonSchema).const === task) {
      for (const [key, value] of Object.entries(rule.then?.properties ?? {})) if (value === false) forbidden.add(key);
    }
  }
  return forbidden;
}

function fillObject(value: Json, schema: JsonSchema): Json {
  const filled: Json = { ...value };
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const property = deref(child);
    if (!property) continue;
    if (filled[key] === undefined && property.default !== undefined) filled[key] = structuredClone(property.default);
    else if (filled[key] !== undefined) filled[key] = fillValue(filled[key], property);
  }
  return filled;
}

function fillValue(value: unknown, schema: JsonSchema): unknown {
  if (isObject(value) && schema.properties) return fillObject(value, schema);
  const items = deref(schema.items);
  if (Array.isArray(value) && items?.properties) return (value as unknown[]).map((item) => (isObject(item) ? fillObject(item, items) : item));
  return value;
}

/**
 * The config with every schema default filled in. Absent top-level sections the task may have are
 * created (so `word2vec:` gets its defaults even when left out); nested optional objects such as
 * `early_stopping` are filled only when present, because their presence switches a feature on.
 */
export function withSchemaDefaults(config: Json): Json {
  const forbidden = forbiddenSections(config.task);
  const withSections: Json = { ...config };
  for (const [key, child] of Object.entries(configSchema.properties ?? {})) {
    const property = deref(child);
    if (property?.type === 'object' && withSections[key] === undefined && !forbidden.has(key)) withSections[key] = {};
  }
  return fillObject(withSections, configSchema);
}

/** A `data` section alone with its schema defaults, for callers that read labelled data without a config (benches, tests). */
export function dataWithDefaults(data: Partial<ResolvedData> & Pick<ResolvedData, 'train'>): ResolvedData {
  const schema = deref(configSchema.properties?.data);
  if (!schema) throw new Error('the schema has no data section');
  return fillObject(data, schema) as unknown as ResolvedData;
}
