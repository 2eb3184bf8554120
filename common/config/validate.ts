// Validation of a config in two tiers: fast and synchronous (YAML + schema), then semantic (needs files).
import { isAlias, isScalar, visit, type Node } from 'yaml';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { ConfigDocument } from './configDocument';
import { topLevelRange } from './configRanges';
import { diagnostic, DiagnosticSeverity, listDiagnostics } from './diagnostics';
import type { ConfigFileSystem } from './fileSystem';
import { schemaDiagnostics } from './schemaDiagnostics';
import { semanticDiagnostics as checkSemantics, type SemanticOptions } from './semanticDiagnostics';

/** Beyond this many YAML errors the rest are counted, not listed: the first ones are what to fix. */
const MAX_SYNTAX_DIAGNOSTICS = 50;

/** YAML syntax errors and warnings (duplicate keys included) at the parser's ranges. */
export function yamlSyntaxDiagnostics(doc: ConfigDocument): Diagnostic[] {
  const problems = [
    ...doc.yaml.errors.map((problem) => ({ problem, severity: DiagnosticSeverity.Error })),
    ...doc.yaml.warnings.map((problem) => ({ problem, severity: DiagnosticSeverity.Warning })),
  ];
  const results = problems.slice(0, MAX_SYNTAX_DIAGNOSTICS).map(({ problem, severity }) => {
    if (problem.code === 'DUPLICATE_KEY') return duplicateKeyDiagnostic(doc, problem.pos[0], severity);
    const [start, end] = problem.pos;
    return diagnostic(doc.rangeOf(start, Math.max(end, start)), severity, 'yaml-syntax', problem.message);
  });
  if (problems.length > MAX_SYNTAX_DIAGNOSTICS) {
    const last = results[results.length - 1]!.range;
    results.push(diagnostic(last, DiagnosticSeverity.Information, 'too-many-problems', `${problems.length - MAX_SYNTAX_DIAGNOSTICS} more YAML errors after this one are not listed.`));
  }
  if (doc.value === undefined && doc.yaml.contents !== null && results.length === 0) {
    // toJS failed without a parse error: an alias to a missing anchor, or too many aliases
    let found = false;
    visit(doc.yaml, {
      Alias: (_key, node) => {
        if (isAlias(node) && node.range && !node.resolve(doc.yaml)) {
          found = true;
          results.push(diagnostic(doc.rangeOf(node.range[0], node.range[1]), DiagnosticSeverity.Error, 'yaml-syntax', `Unknown anchor "${node.source}": define &${node.source} before using *${node.source}.`));
        }
      },
    });
    if (!found) results.push(diagnostic(topLevelRange(doc), DiagnosticSeverity.Error, 'yaml-syntax', 'The document cannot be read: too many aliases or an alias loop.'));
  }
  return results;
}

/** The parser points at a duplicate key's first character: cover the whole key, and name it. */
function duplicateKeyDiagnostic(doc: ConfigDocument, start: number, severity: DiagnosticSeverity): Diagnostic {
  const key = keyAt(doc, start);
  const value: unknown = isScalar(key) ? key.value : null;
  const name = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) || undefined : undefined;
  const end = key?.range && key.range[1] > start ? key.range[1] : doc.lineAt(start).end;
  const message = name === undefined ? 'Duplicate empty key: keys in a map must be unique.' : `Duplicate key ${JSON.stringify(name)}: keys in a map must be unique.`;
  return diagnostic(doc.rangeOf(start, Math.max(start, end)), severity, 'duplicate-key', message);
}

function keyAt(doc: ConfigDocument, start: number): Node | undefined {
  let found: Node | undefined;
  visit(doc.yaml, {
    Pair: (_key, pair) => {
      const key = pair.key as Node | null;
      if (key?.range?.[0] === start) found = key;
    },
  });
  return found;
}

/** Whether the YAML itself is broken (duplicate keys aside): then the parsed value is only a guess. */
export function hasYamlSyntaxErrors(doc: ConfigDocument): boolean {
  return doc.yaml.errors.some((error) => error.code !== 'DUPLICATE_KEY');
}

/**
 * YAML errors, then schema errors. While the YAML is broken, schema errors are left out: the parser's
 * recovery guesses (a string swallowing the rest of the file, keys at the wrong level) would be noise.
 */
export function syntaxAndSchemaDiagnostics(doc: ConfigDocument): Diagnostic[] {
  const syntax = yamlSyntaxDiagnostics(doc);
  const schema = doc.value === undefined || hasYamlSyntaxErrors(doc) ? [] : schemaDiagnostics(doc);
  return listDiagnostics([...syntax, ...schema]);
}

export async function semanticDiagnostics(doc: ConfigDocument, fs: ConfigFileSystem, options: SemanticOptions = {}): Promise<Diagnostic[]> {
  if (hasYamlSyntaxErrors(doc)) return [];
  return checkSemantics(doc, fs, options);
}

export async function validateConfig(doc: ConfigDocument, fs: ConfigFileSystem, options: SemanticOptions = {}): Promise<Diagnostic[]> {
  const semantic = await semanticDiagnostics(doc, fs, options);
  return listDiagnostics([...syntaxAndSchemaDiagnostics(doc), ...semantic]);
}
