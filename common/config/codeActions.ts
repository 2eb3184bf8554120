// Quick fixes for NLP Studio's diagnostics, from the data each diagnostic carries, and "Fill in defaults".
import { parse } from 'yaml';
import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver-types';
import type { ConfigDocument } from './configDocument';
import { fillDefaultsEdits, insertKeyEdit, removeEntryEdit } from './configEdits';
import { formatPath } from './configRanges';
import { DIAGNOSTIC_SOURCE, isDiagnosticData } from './diagnostics';

/** The kind of the "Fill in defaults" source action. */
export const FILL_DEFAULTS_KIND = `${CodeActionKind.Source}.fillDefaults`;

const MAX_REPLACEMENTS = 5;

/** A replacement as YAML source: plain where YAML reads it back as the same string, else quoted. */
function asYamlScalar(text: string): string {
  if (/^-?\d+(\.\d+)?$/.test(text)) return text; // numbers (vector sizes, counts) stay numbers
  try {
    if (parse(text, { logLevel: 'error' }) === text && !text.includes('#') && !text.includes(': ')) return text;
  } catch {
    // not plain YAML: quote it
  }
  return JSON.stringify(text);
}

function action(doc: ConfigDocument, title: string, edits: TextEdit[], diagnostic: Diagnostic, isPreferred: boolean): CodeAction {
  const result: CodeAction = { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [doc.uri]: edits } } };
  if (isPreferred) result.isPreferred = true;
  return result;
}

/** Keys some unknown-key diagnostic would rename to: adding them as new keys is then the worse fix. */
function renameTargets(diagnostics: Diagnostic[]): Set<string> {
  return new Set(diagnostics.flatMap((d) => (d.code === 'unknown-key' && isDiagnosticData(d.data) ? (d.data.replacements ?? []).slice(0, 1) : [])));
}

function fixesFor(doc: ConfigDocument, diagnostic: Diagnostic, renamed: Set<string>): CodeAction[] {
  const data: unknown = diagnostic.data;
  if (diagnostic.source !== DIAGNOSTIC_SOURCE || !isDiagnosticData(data)) return [];
  const fixes: CodeAction[] = [];
  (data.replacements ?? []).slice(0, MAX_REPLACEMENTS).forEach((replacement, index) => {
    const text = asYamlScalar(replacement);
    const title = diagnostic.code === 'unknown-key' ? `Rename to "${replacement}"` : `Change to ${text}`;
    const edit = { range: diagnostic.range, newText: text };
    fixes.push(action(doc, title, [edit], diagnostic, index === 0 && data.preferFirst === true));
  });
  if (data.insertKey) {
    const { path, key, value } = data.insertKey;
    const edit = insertKeyEdit(doc, path, key, value);
    const where = path.length === 0 ? '' : ` to ${formatPath(path)}`;
    if (edit) fixes.push(action(doc, `Add "${key}"${where}`, [edit], diagnostic, !renamed.has(key)));
  }
  if (data.removePath) {
    const edit = removeEntryEdit(doc, data.removePath);
    if (edit) fixes.push(action(doc, `Remove ${formatPath(data.removePath)}`, [edit], diagnostic, fixes.length === 0));
  }
  return fixes;
}

function overlaps(a: Range, b: Range): boolean {
  const before = (x: Range['start'], y: Range['start']): boolean => x.line < y.line || (x.line === y.line && x.character < y.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

export function codeActions(doc: ConfigDocument, range: Range, diagnostics: Diagnostic[]): CodeAction[] {
  const renamed = renameTargets(diagnostics);
  const fixes = diagnostics.filter((d) => overlaps(d.range, range)).flatMap((d) => fixesFor(doc, d, renamed));
  const fillDefaults = fillDefaultsEdits(doc);
  if (fillDefaults.length > 0) {
    fixes.push({ title: 'Fill in defaults', kind: FILL_DEFAULTS_KIND, edit: { changes: { [doc.uri]: fillDefaults } } });
  }
  return fixes;
}
