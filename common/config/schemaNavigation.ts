// Finds the part of the config schema that applies at a path, for completion and hover.
import Ajv, { type ValidateFunction } from 'ajv';
import { configSchema, type JsonSchema } from '../schema';
import type { ConfigPath } from './configDocument';

/** The schemas that apply at one place in a config: a node, its $ref targets, anyOf alternatives, matching if/then. */
export interface SchemaSet {
  schemas: JsonSchema[];
  /** The place is ruled out (a `false` schema), e.g. `model` when `task: word2vec`. */
  forbidden: boolean;
}

export interface PropertyInfo {
  name: string;
  set: SchemaSet;
  required: boolean;
}

// `if` schemas are tiny (a const on `task`); ajv decides them exactly as validation does.
const ajv = new Ajv({ strict: false, allErrors: false });
const conditionCache = new WeakMap<JsonSchema, ValidateFunction>();

function matches(condition: JsonSchema, instance: unknown): boolean {
  // Nothing typed yet satisfies no condition (JSON Schema would let `required` pass on a non-object).
  if (instance === undefined || instance === null) return false;
  let validate = conditionCache.get(condition);
  if (!validate) {
    validate = ajv.compile(condition);
    conditionCache.set(condition, validate);
  }
  return validate(instance) === true;
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema | boolean | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const segment of ref.slice(2).split('/')) {
    const key = decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node as JsonSchema | boolean | undefined;
}

function expand(schema: JsonSchema | boolean | undefined, instance: unknown, root: JsonSchema, into: SchemaSet, depth = 0): void {
  if (schema === false) into.forbidden = true;
  if (typeof schema !== 'object' || depth > 32) return;
  if (schema.$ref) expand(resolveRef(root, schema.$ref), instance, root, into, depth + 1);
  into.schemas.push(schema);
  for (const alternative of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) expand(alternative, instance, root, into, depth + 1);
  for (const part of schema.allOf ?? []) expand(part, instance, root, into, depth + 1);
  if (schema.if) expand(matches(schema.if, instance) ? schema.then : schema.else, instance, root, into, depth + 1);
}

function childOf(value: unknown, segment: string | number): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string | number, unknown>)[segment];
}

function step(set: SchemaSet, segment: string | number, instance: unknown, root: JsonSchema): SchemaSet {
  const next: SchemaSet = { schemas: [], forbidden: set.forbidden };
  if (typeof segment === 'string') {
    const declared = set.schemas.filter((schema) => schema.properties && segment in schema.properties);
    for (const schema of declared) expand(schema.properties?.[segment], instance, root, next);
    if (declared.length === 0) {
      for (const schema of set.schemas) {
        if (typeof schema.additionalProperties === 'object') expand(schema.additionalProperties, instance, root, next);
      }
    }
  } else {
    for (const schema of set.schemas) if (schema.items !== undefined) expand(schema.items, instance, root, next);
  }
  return next;
}

/**
 * The schemas that apply at `path` in `config` (the document's value, used to decide if/then).
 * Property names step into `properties` (else `additionalProperties`), numbers into `items`.
 */
export function schemaSetAt(path: ConfigPath, config: unknown, root: JsonSchema = configSchema): SchemaSet {
  let set: SchemaSet = { schemas: [], forbidden: false };
  expand(root, config, root, set);
  let instance = config;
  for (const segment of path) {
    instance = childOf(instance, segment);
    set = step(set, segment, instance, root);
  }
  return set;
}

/** The properties a map at this place may have, in schema order, leaving out forbidden ones. */
export function propertiesOf(set: SchemaSet, instance: unknown, root: JsonSchema = configSchema): PropertyInfo[] {
  const names: string[] = [];
  for (const schema of set.schemas) {
    for (const name of Object.keys(schema.properties ?? {})) if (!names.includes(name)) names.push(name);
  }
  const required = new Set(set.schemas.flatMap((schema) => schema.required ?? []));
  return names
    .map((name) => ({ name, set: step(set, name, childOf(instance, name), root), required: required.has(name) }))
    .filter((property) => !property.set.forbidden);
}

/** The first value a facet has across the set: a node's own facets win over those of its $ref target. */
export function facet<K extends keyof JsonSchema>(set: SchemaSet, key: K): JsonSchema[K] | undefined {
  for (const schema of set.schemas) if (schema[key] !== undefined) return schema[key];
  return undefined;
}

/** Human type names: `integer`, `string | string[]`. */
export function typeNames(set: SchemaSet): string[] {
  const names: string[] = [];
  const add = (name: string): void => {
    if (!names.includes(name)) names.push(name);
  };
  for (const schema of set.schemas) {
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
    for (const type of types) {
      if (type === 'array' && typeof schema.items === 'object') {
        const itemType = schema.items.type;
        add(typeof itemType === 'string' ? `${itemType}[]` : 'array');
      } else add(type);
    }
  }
  return names;
}

export function hasType(set: SchemaSet, type: string): boolean {
  return set.schemas.some((schema) => schema.type === type || (Array.isArray(schema.type) && schema.type.includes(type)));
}

/** Allowed values with their descriptions, from every `enum` and `const` in the set. */
export function enumValues(set: SchemaSet): { value: unknown; description?: string }[] {
  const values: { value: unknown; description?: string }[] = [];
  for (const schema of set.schemas) {
    schema.enum?.forEach((value, i) => {
      if (values.some((known) => known.value === value)) return;
      const description = schema.enumDescriptions?.[i];
      values.push(description === undefined ? { value } : { value, description });
    });
    if (schema.const !== undefined && !values.some((known) => known.value === schema.const)) values.push({ value: schema.const });
  }
  return values;
}

/** The allowed range as text, e.g. `0 < value ≤ 0.5`; undefined when the schema sets no bounds. */
export function rangeText(set: SchemaSet): string | undefined {
  const minimum = facet(set, 'minimum');
  const exclusiveMinimum = facet(set, 'exclusiveMinimum');
  const maximum = facet(set, 'maximum');
  const exclusiveMaximum = facet(set, 'exclusiveMaximum');
  const low = exclusiveMinimum !== undefined ? `${exclusiveMinimum} < ` : minimum !== undefined ? `${minimum} ≤ ` : '';
  const high = exclusiveMaximum !== undefined ? ` < ${exclusiveMaximum}` : maximum !== undefined ? ` ≤ ${maximum}` : '';
  return low || high ? `${low}value${high}` : undefined;
}
