// The vocabulary of NLP Studio's config diagnostics: stable codes, and the data a quick fix needs.
import { DiagnosticSeverity, type Diagnostic, type DiagnosticTag, type Range } from 'vscode-languageserver-types';
import type { ConfigPath } from './configDocument';

export const DIAGNOSTIC_SOURCE = 'nlp-studio';

export type DiagnosticCode =
  | 'yaml-syntax'
  | 'duplicate-key'
  | 'type'
  | 'enum'
  | 'range'
  | 'pattern'
  | 'required'
  | 'unknown-key'
  | 'not-for-task'
  | 'unique'
  | 'deprecated'
  | 'schema'
  | 'missing-file'
  | 'missing-column'
  | 'unreadable-data'
  | 'single-class'
  | 'label-case'
  | 'outside-workspace'
  | 'incomplete-model'
  | 'hub-model'
  | 'bad-vectors'
  | 'vector-size'
  | 'stage-schedule'
  | 'learning-rate'
  | 'conflict'
  | 'no-effect'
  | 'too-many-problems';

/** What a quick fix for a diagnostic needs; every field is optional and plain JSON (it crosses LSP). */
export interface DiagnosticData {
  /** Texts that can replace the diagnostic's range, best first (did-you-mean, allowed values). */
  replacements?: string[];
  /** The first replacement is a close match (a likely typo), so its fix is the preferred one. */
  preferFirst?: boolean;
  /** The map a missing key belongs in, the key, and the value to give it (else a schema default or placeholder). */
  insertKey?: { path: ConfigPath; key: string; value?: unknown };
  /** A key whose whole entry a fix removes (one side of a conflict). */
  removePath?: ConfigPath;
}

export function diagnostic(
  range: Range,
  severity: DiagnosticSeverity,
  code: DiagnosticCode,
  message: string,
  data?: DiagnosticData,
  tags?: DiagnosticTag[],
): Diagnostic {
  const result: Diagnostic = { range, severity, code, source: DIAGNOSTIC_SOURCE, message };
  if (data) result.data = data;
  if (tags) result.tags = tags;
  return result;
}

export function isDiagnosticData(value: unknown): value is DiagnosticData {
  return typeof value === 'object' && value !== null;
}

/** Position order, so the editor and the CLI list diagnostics top to bottom. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.range.end.line - b.range.end.line ||
    a.range.end.character - b.range.end.character
  );
}

/** The most diagnostics one config gets; after them, one more says how many are not listed. */
export const MAX_DIAGNOSTICS = 200;

/** Diagnostics top to bottom, at most MAX_DIAGNOSTICS of them (a pasted data file must not flood the editor). */
export function listDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const sorted = [...diagnostics].sort(compareDiagnostics);
  if (sorted.length <= MAX_DIAGNOSTICS) return sorted;
  const kept = sorted.slice(0, MAX_DIAGNOSTICS);
  const more = sorted.length - MAX_DIAGNOSTICS;
  kept.push(diagnostic(kept[kept.length - 1]!.range, DiagnosticSeverity.Information, 'too-many-problems', `${more} more problems after this one are not listed: fix these first.`));
  return kept;
}

export { DiagnosticSeverity };
