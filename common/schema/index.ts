// The config JSON Schema: the single source for validation, completion, hover, generated types and docs.
import schemaJson from './nlp-config.schema.json';

export type { NlpConfig } from './config.generated';

/** The subset of JSON Schema (draft-07) plus VS Code's editor extensions that NLP Studio's schema uses. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  description?: string;
  markdownDescription?: string;
  enumDescriptions?: string[];
  deprecationMessage?: string;
  defaultSnippets?: { label?: string; markdownDescription?: string; body: unknown }[];
  properties?: Record<string, JsonSchema | boolean>;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  items?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  if?: JsonSchema;
  then?: JsonSchema;
  else?: JsonSchema;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  definitions?: Record<string, JsonSchema>;
  title?: string;
  $schema?: string;
  $id?: string;
}

export const configSchema: JsonSchema = schemaJson as unknown as JsonSchema;

/** The tasks the schema knows, in schema order. */
export const TASKS = ['text-classification', 'word2vec'] as const;
export type Task = (typeof TASKS)[number];
