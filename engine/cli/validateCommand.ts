// `nlp-studio validate <file…> [--json]`: the editor's diagnostics, printed; exit 1 when any is an error.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import { nodeFileSystem } from '../../common/config/nodeFileSystem';
import { parseConfigDocument } from '../../common/config/configDocument';
import { validateConfig } from '../../common/config/validate';
import { readConfigText, type ConfigText } from '../config/configText';
import type { CliIo } from './io';

const SEVERITY_NAMES: Record<DiagnosticSeverity, string> = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info',
  [DiagnosticSeverity.Hint]: 'hint',
};

/** One diagnostic as the CLI reports it: 1-based lines and columns, end exclusive. */
export interface CliDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
}

export function toCliDiagnostic(file: string, diagnostic: Diagnostic): CliDiagnostic {
  return {
    file,
    line: diagnostic.range.start.line + 1,
    column: diagnostic.range.start.character + 1,
    endLine: diagnostic.range.end.line + 1,
    endColumn: diagnostic.range.end.character + 1,
    severity: SEVERITY_NAMES[diagnostic.severity ?? DiagnosticSeverity.Error],
    code: String(diagnostic.code ?? ''),
    message: diagnostic.message,
  };
}

export function formatCliDiagnostic(d: CliDiagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]`;
}

const NOT_FOUND = 'file not found';

async function readConfigArgument(file: string): Promise<ConfigText> {
  const info = await stat(file).catch(() => undefined);
  if (info?.isFile()) return readConfigText(file);
  return { problem: info?.isDirectory() ? 'is a folder, not a config file' : NOT_FOUND };
}

export async function validateCommand(files: string[], options: { json: boolean }, io: CliIo): Promise<number> {
  if (files.length === 0) {
    io.stderr('nlp-studio validate: give at least one config file, e.g. nlp-studio validate train.nlp.yaml\n');
    return 2;
  }
  const configs: { file: string; text: string }[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const read = await readConfigArgument(resolve(io.cwd, file));
    if ('text' in read) configs.push({ file, text: read.text });
    else problems.push(read.problem === NOT_FOUND ? `${NOT_FOUND}: ${file}` : `${file}: ${read.problem}`);
  }
  if (problems.length > 0) {
    for (const problem of problems) io.stderr(`nlp-studio validate: ${problem}\n`);
    return 2;
  }
  let errors = 0;
  let others = 0;
  for (const { file, text } of configs) {
    const doc = parseConfigDocument(pathToFileURL(resolve(io.cwd, file)).href, text);
    for (const diagnostic of await validateConfig(doc, nodeFileSystem)) {
      const reported = toCliDiagnostic(file, diagnostic);
      if (reported.severity === 'error') errors++;
      else others++;
      io.stdout(`${options.json ? JSON.stringify(reported) : formatCliDiagnostic(reported)}\n`);
    }
  }
  if (!options.json) io.stderr(`${plural(files.length, 'config')} checked: ${plural(errors, 'error')}, ${plural(others, 'other diagnostic')}.\n`);
  return errors > 0 ? 1 : 0;
}

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
