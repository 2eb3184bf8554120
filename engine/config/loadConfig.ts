// Reads a *.nlp.yaml for a run: the editor's validation, then schema defaults, absolute paths, YAML out.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import { stringify } from 'yaml';
import type { SourceLocation } from '../../common/protocol/runEvents';
import { nodeFileSystem } from '../../server/io/nodeFileSystem';
import { findPair, parseConfigDocument, type ConfigDocument, type ConfigPath } from '../../server/service/configDocument';
import { keyRange, valueRange } from '../../server/service/configRanges';
import { isGlobPattern } from '../../server/service/fileSystem';
import { validateConfig } from '../../server/service/validate';
import { ConfigError } from './configError';
import type { ResolvedConfig } from './resolvedConfig';
import { withSchemaDefaults } from './schemaDefaults';

export interface LoadedConfig {
  /** Absolute path of the config file. */
  file: string;
  folder: string;
  config: ResolvedConfig;
  /** The config as written, before defaults: tells a value the user chose from a default. */
  written: Record<string, unknown>;
  /** Warnings and hints the editor would show; a run goes ahead with them. */
  notes: { level: 'warning' | 'info'; message: string; location: SourceLocation }[];
  /** Where a key's value is in the file (its key when the value is absent), for messages that point there. */
  locate(at: ConfigPath): SourceLocation;
}

/** Config keys holding paths relative to the config file (model.pretrained only when it names a local folder). */
const PATH_KEYS: ConfigPath[] = [['data', 'validation'], ['model', 'vectors'], ['word2vec', 'init_from'], ['output', 'dir']];

function locationOf(doc: ConfigDocument, file: string, range: Diagnostic['range']): SourceLocation {
  return { file, line: range.start.line + 1, column: range.start.character + 1 };
}

/** Loads, validates and resolves a config; throws ConfigError listing file:line:col: message for each error. */
export async function loadConfig(configPath: string): Promise<LoadedConfig> {
  const file = path.resolve(configPath);
  const folder = path.dirname(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError([{ message: `cannot read the config: ${(error as Error).message}`, location: { file } }]);
  }
  const doc = parseConfigDocument(pathToFileURL(file).href, text);
  const diagnostics = await validateConfig(doc, nodeFileSystem);
  const located = diagnostics.map((d) => ({ severity: d.severity, message: d.message, location: locationOf(doc, file, d.range) }));
  const errors = located.filter((d) => d.severity === DiagnosticSeverity.Error);
  if (errors.length > 0) throw new ConfigError(errors.map(({ message, location }) => ({ message, location })));
  const locate = (at: ConfigPath): SourceLocation => {
    const pair = findPair(doc, at);
    if (pair?.value) return locationOf(doc, file, valueRange(doc, at));
    if (pair) return locationOf(doc, file, keyRange(doc, at));
    return at.length > 1 ? locate(at.slice(0, -1)) : { file, line: 1, column: 1 };
  };
  const config = withSchemaDefaults(doc.value as Record<string, unknown>) as unknown as ResolvedConfig & { data: { train: string | string[] } };
  config.data.train = await expandTrainFiles(config.data.train, folder, () => locate(['data', 'train']));
  for (const at of PATH_KEYS) resolvePathAt(config, at, folder);
  const pretrained = config.model?.pretrained;
  if (pretrained !== undefined && (await nodeFileSystem.stat(path.resolve(folder, pretrained)))) config.model!.pretrained = path.resolve(folder, pretrained);
  const notes = located
    .filter((d) => d.severity !== DiagnosticSeverity.Error)
    .map(({ severity, message, location }) => ({ level: severity === DiagnosticSeverity.Warning ? ('warning' as const) : ('info' as const), message, location }));
  return { file, folder, config, written: doc.value as Record<string, unknown>, notes, locate };
}

async function expandTrainFiles(train: string | string[], folder: string, where: () => SourceLocation): Promise<string[]> {
  const files: string[] = [];
  for (const entry of Array.isArray(train) ? train : [train]) {
    if (!isGlobPattern(entry)) {
      files.push(path.resolve(folder, entry));
      continue;
    }
    const matches = (await nodeFileSystem.glob(entry, folder)).sort();
    if (matches.length === 0) throw new ConfigError([{ message: `data.train: "${entry}" matches no file`, location: where() }]);
    files.push(...matches.map((match) => path.resolve(match)));
  }
  return files;
}

function resolvePathAt(config: object, at: ConfigPath, folder: string): void {
  let parent: unknown = config;
  for (const segment of at.slice(0, -1)) parent = (parent as Record<string | number, unknown> | undefined)?.[segment];
  const key = at[at.length - 1]!;
  const holder = parent as Record<string | number, unknown> | undefined;
  if (typeof holder?.[key] === 'string') holder[key] = path.resolve(folder, holder[key]);
}

/** config.resolved.yaml: what the run used, defaults included, paths absolute. */
export function resolvedConfigYaml(loaded: LoadedConfig): string {
  return `# Resolved from ${loaded.file}: schema defaults filled in, paths absolute.\n${stringify(loaded.config, { lineWidth: 0 })}`;
}
