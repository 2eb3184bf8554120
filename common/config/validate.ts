// Validation of a config in two tiers: fast and synchronous (YAML + schema), then semantic (needs files).
import { isAlias, visit } from 'yaml';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { ConfigDocument } from './configDocument';
import { topLevelRange } from './configRanges';
import { compareDiagnostics, diagnostic, DiagnosticSeverity } from './diagnostics';
import type { ConfigFileSystem } from './fileSystem';
import { schemaDiagnostics } from './schemaDiagnostics';
import { semanticDiagnostics as checkSemantics } from './semanticDiagnostics';

/** YAML syntax errors and warnings (duplicate keys included) at the parser's ranges. */
export function yamlSyntaxDiagnostics(doc: ConfigDocument): Diagnostic[] {
  const problems = [
    ...doc.yaml.errors.map((problem) => ({ problem, severity: DiagnosticSeverity.Error })),
    ...doc.yaml.warnings.map((problem) => ({ problem, severity: DiagnosticSeverity.Warning })),
  ];
  const results = problems.map(({ problem, severity }) => {
    const [start, parserEnd] = problem.pos;
    const code = problem.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
    // the parser points at a duplicate key's first character: cover the whole key
    const end = code === 'duplicate-key' ? (keyEndAt(doc, start) ?? parserEnd) : parserEnd;
    const message = problem.code === 'DUPLICATE_KEY' ? `Duplicate key "${doc.text.slice(start, end)}": keys in a map must be unique.` : problem.message;
    return diagnostic(doc.rangeOf(start, Math.max(end, start)), severity, code, message);
  });
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

function keyEndAt(doc: ConfigDocument, start: number): number | undefined {
  let end: number | undefined;
  visit(doc.yaml, {
    Pair: (_key, pair) => {
      const range = (pair.key as { range?: [number, number, number] } | null)?.range;
      if (range?.[0] === start) end = range[1];
    },
  });
  return end;
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
  return [...syntax, ...schema].sort(compareDiagnostics);
}

export async function semanticDiagnostics(doc: ConfigDocument, fs: ConfigFileSystem): Promise<Diagnostic[]> {
  if (hasYamlSyntaxErrors(doc)) return [];
  return checkSemantics(doc, fs);
}

export async function validateConfig(doc: ConfigDocument, fs: ConfigFileSystem): Promise<Diagnostic[]> {
  const semantic = await semanticDiagnostics(doc, fs);
  return [...syntaxAndSchemaDiagnostics(doc), ...semantic].sort(compareDiagnostics);
}
