// Schema validation of a config: ajv's errors turned into one clear diagnostic each, at the exact range.
import Ajv, { type ErrorObject } from 'ajv';
import { DiagnosticTag, type Diagnostic } from 'vscode-languageserver-types';
import { configSchema, type JsonSchema } from '../schema';
import type { ConfigDocument, ConfigPath } from './configDocument';
import { findPair } from './configDocument';
import { formatPath, keyRange, pointerToPath, topLevelRange, valueRange } from './configRanges';
import { diagnostic, DiagnosticSeverity, type DiagnosticData } from './diagnostics';
import { closeMatches } from './didYouMean';

// strict: false lets ajv accept VS Code's keywords (markdownDescription, enumDescriptions, defaultSnippets, …).
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validateSchema = ajv.compile(configSchema);

/** ajv's raw errors for a config value (an empty document validates as `{}`). */
export function schemaErrors(value: unknown): ErrorObject[] {
  validateSchema(value ?? {});
  return [...(validateSchema.errors ?? [])];
}

/** Resolves `#/definitions/x` references of the config schema. */
export function resolveSchema(schema: JsonSchema | boolean | undefined): JsonSchema | undefined {
  if (typeof schema !== 'object') return undefined;
  const ref = schema.$ref;
  if (ref?.startsWith('#/definitions/')) return configSchema.definitions?.[ref.slice('#/definitions/'.length)];
  return schema;
}

/** The schema of the value at `path`, following properties and items. */
export function schemaAt(path: ConfigPath): JsonSchema | undefined {
  let schema: JsonSchema | undefined = configSchema;
  for (const segment of path) {
    if (!schema) return undefined;
    schema = typeof segment === 'number' ? resolveSchema(schema.items) : resolveSchema(schema.properties?.[segment]);
  }
  return schema;
}

export function schemaDiagnostics(doc: ConfigDocument): Diagnostic[] {
  const errors = dropPatternOfEmpty(collapseAnyOf(schemaErrors(doc.value)));
  const results: Diagnostic[] = [];
  for (const error of errors) {
    const result = errorToDiagnostic(doc, error);
    if (result) results.push(result);
  }
  results.push(...deprecationDiagnostics(doc, configSchema));
  return dedupe(results);
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.range.start.line}:${d.range.start.character}:${d.range.end.line}:${d.range.end.character}:${String(d.code)}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** An empty string also fails its pattern: "must not be empty" says it all. */
function dropPatternOfEmpty(errors: ErrorObject[]): ErrorObject[] {
  const empty = new Set(errors.filter((error) => error.keyword === 'minLength').map((error) => error.instancePath));
  return errors.filter((error) => error.keyword !== 'pattern' || !empty.has(error.instancePath));
}

/**
 * An anyOf failure brings one error per branch plus its own. Keep the branch whose type matched (its
 * specific errors), or, when no branch's type matched, one type error naming every accepted type.
 */
function collapseAnyOf(errors: ErrorObject[]): ErrorObject[] {
  let result = errors;
  for (const anyOf of errors.filter((error) => error.keyword === 'anyOf')) {
    const prefix = `${anyOf.schemaPath}/`;
    const inBranch = (error: ErrorObject): boolean => error.schemaPath.startsWith(prefix);
    const branches = new Map<string, ErrorObject[]>();
    for (const error of result.filter(inBranch)) {
      const branch = error.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
    }
    const typeMatched = [...branches.values()].filter(
      (branchErrors) => !branchErrors.some((error) => error.keyword === 'type' && error.instancePath === anyOf.instancePath),
    );
    const kept: ErrorObject[] = typeMatched.length > 0 ? typeMatched.flat() : [typeErrorOfAnyOf(anyOf)];
    result = [...result.filter((error) => error !== anyOf && !inBranch(error)), ...kept];
  }
  return result;
}

function typeErrorOfAnyOf(anyOf: ErrorObject): ErrorObject {
  const branches = Array.isArray(anyOf.schema) ? (anyOf.schema as JsonSchema[]) : [];
  const types = branches.map((branch) => {
    const type = Array.isArray(branch.type) ? branch.type.join(' or ') : (branch.type ?? 'value');
    const items = resolveSchema(branch.items);
    return type === 'array' && typeof items?.type === 'string' ? `array of ${items.type}s` : type;
  });
  return { ...anyOf, keyword: 'type', params: { type: types.join(',') } };
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${String(value)}`;
  return typeof value;
}

function describeTypes(type: string): string {
  const names: Record<string, string> = { object: 'map', array: 'list' };
  return type
    .split(',')
    .map((t) => article(names[t] ?? t.replace(/^array of /, 'list of ')))
    .join(' or ');
}

function nameOf(path: ConfigPath): string {
  const last = path[path.length - 1];
  return last === undefined ? 'the config' : typeof last === 'number' ? formatPath(path) : `"${last}"`;
}

function inWhere(path: ConfigPath): string {
  return path.length === 0 ? '' : ` in ${formatPath(path)}`;
}

function taskOf(doc: ConfigDocument): string | undefined {
  const value = doc.value as { task?: unknown } | undefined;
  return typeof value?.task === 'string' ? value.task : undefined;
}

function errorToDiagnostic(doc: ConfigDocument, error: ErrorObject): Diagnostic | undefined {
  const path = pointerToPath(error.instancePath, doc.value);
  const name = nameOf(path);
  const params = error.params as Record<string, unknown>;
  const parentSchema = error.parentSchema as JsonSchema | undefined;
  const error_ = DiagnosticSeverity.Error;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(parentSchema?.properties ?? {});
      const present = Object.keys((error.data as Record<string, unknown> | undefined) ?? {});
      const suggestions = closeMatches(key, allowed.filter((candidate) => !present.includes(candidate)));
      const hint = suggestions[0] ? ` Did you mean "${suggestions[0]}"?` : ` Allowed keys: ${allowed.join(', ')}.`;
      const data: DiagnosticData = suggestions.length > 0 ? { replacements: suggestions, preferFirst: true } : { removePath: [...path, key] };
      return diagnostic(keyRange(doc, [...path, key]), error_, 'unknown-key', `Unknown key "${key}"${inWhere(path)}.${hint}`, data);
    }
    case 'required': {
      const key = String(params.missingProperty);
      const task = error.schemaPath.includes('/then/') ? taskOf(doc) : undefined;
      const why = task ? ` (needed for task ${task})` : '';
      const range = path.length === 0 ? topLevelRange(doc) : keyRange(doc, path);
      return diagnostic(range, error_, 'required', `Missing required key "${key}"${inWhere(path)}${why}.`, { insertKey: { path, key } });
    }
    case 'false schema': {
      const task = taskOf(doc);
      const message = task ? `\`${formatPath(path)}\` does not apply to task ${task}.` : `\`${formatPath(path)}\` is not allowed here.`;
      return diagnostic(keyRange(doc, path), error_, 'not-for-task', message, { removePath: path });
    }
    case 'type': {
      const message = `Expected ${describeTypes(String(params.type))} for ${name}, got ${describeValue(error.data)}.`;
      return diagnostic(valueRange(doc, path), error_, 'type', message);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const value = String(error.data);
      const close = closeMatches(value, allowed);
      const hint = close[0] ? ` Did you mean "${close[0]}"?` : '';
      const replacements = [...close, ...allowed.filter((candidate) => !close.includes(candidate))].slice(0, 5);
      const message = `${JSON.stringify(error.data)} is not a valid value for ${name}. Allowed values: ${allowed.join(', ')}.${hint}`;
      return diagnostic(valueRange(doc, path), error_, 'enum', message, { replacements, preferFirst: close.length > 0 });
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = { '>=': 'at least', '<=': 'at most', '>': 'greater than', '<': 'less than' };
      const bound = `${words[String(params.comparison)] ?? String(params.comparison)} ${String(params.limit)}`;
      return diagnostic(valueRange(doc, path), error_, 'range', `${name} must be ${bound}, got ${String(error.data)}.`);
    }
    case 'minLength':
    case 'maxLength': {
      const limit = Number(params.limit);
      const message =
        error.keyword === 'minLength' && limit === 1
          ? `${name} must not be empty.`
          : `${name} must be ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${limit} characters long.`;
      return diagnostic(valueRange(doc, path), error_, 'range', message);
    }
    case 'minItems':
    case 'maxItems': {
      const limit = Number(params.limit);
      const bound = `${error.keyword === 'minItems' ? 'at least' : 'at most'} ${limit} ${limit === 1 ? 'entry' : 'entries'}`;
      return diagnostic(valueRange(doc, path), error_, 'range', `${name} must have ${bound}.`);
    }
    case 'uniqueItems': {
      const index = Math.max(Number(params.i), Number(params.j));
      const item = (error.data as unknown[])[index];
      return diagnostic(valueRange(doc, [...path, index]), error_, 'unique', `${JSON.stringify(item)} appears more than once in ${formatPath(path)}.`, {
        removePath: [...path, index],
      });
    }
    case 'pattern': {
      const examples = (parentSchema?.examples ?? []).map(String);
      const value = String(error.data);
      const expected = examples.length > 0 ? `a value like ${examples.join(', ')}` : `text matching ${String(params.pattern)}`;
      const close = closeMatches(value, examples);
      const replacements = [...close, ...examples].filter((v, i, all) => all.indexOf(v) === i).slice(0, 5);
      const message = `${JSON.stringify(value)} is not valid for ${name}: expected ${expected}.`;
      return diagnostic(valueRange(doc, path), error_, 'pattern', message, replacements.length > 0 ? { replacements, preferFirst: close.length > 0 } : undefined);
    }
    case 'if':
    case 'anyOf':
    case 'oneOf':
    case 'allOf':
      return undefined; // the branch errors say what is wrong more precisely
    default:
      return diagnostic(valueRange(doc, path), error_, 'schema', `${name}: ${error.message ?? 'does not match the schema'}.`);
  }
}

/** Keys the schema marks with `deprecationMessage`: a warning, struck through in the editor. */
export function deprecationDiagnostics(doc: ConfigDocument, rootSchema: JsonSchema): Diagnostic[] {
  const results: Diagnostic[] = [];
  const walk = (value: unknown, schema: JsonSchema | undefined, path: ConfigPath): void => {
    if (!schema || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, resolveSchema(schema.items), [...path, index]));
      return;
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childSchema = resolveSchema(schema.properties?.[key]);
      if (childSchema?.deprecationMessage && findPair(doc, [...path, key])) {
        results.push(
          diagnostic(keyRange(doc, [...path, key]), DiagnosticSeverity.Warning, 'deprecated', childSchema.deprecationMessage, { removePath: [...path, key] }, [
            DiagnosticTag.Deprecated,
          ]),
        );
      }
      walk(child, childSchema, [...path, key]);
    }
  };
  walk(doc.value, rootSchema, []);
  return results;
}
