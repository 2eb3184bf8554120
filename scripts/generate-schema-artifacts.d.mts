// Types of scripts/generate-schema-artifacts.mjs, for the tests that regenerate its artifacts in memory.
export declare const schemaPath: string;
export declare const typesPath: string;
export declare const referencePath: string;

export interface SchemaNodeVisit {
  node: Record<string, unknown>;
  /** JSON pointer into the schema, e.g. `/properties/model/properties/type`. */
  pointer: string;
  /** Dotted config path, e.g. `training.stages[].epochs`. */
  path: string;
  kind: 'root' | 'property' | 'items' | 'variant' | 'definition';
}

export declare function readSchema(): Record<string, unknown>;
export declare function walkSchema(node: unknown): Generator<SchemaNodeVisit>;
export declare function taskApplicability(
  schema: Record<string, unknown>,
): Record<string, { appliesTo: string[]; requiredBy: string[] }>;
/** The text of common/schema/config.generated.ts. */
export declare function generateTypes(schema?: Record<string, unknown>): Promise<string>;
/** The text of docs/config-reference.md. */
export declare function generateReference(schema?: Record<string, unknown>): string;
