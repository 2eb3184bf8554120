// The file access the language service needs, passed in so that services stay pure and testable.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigDocument } from './configDocument';

export interface ConfigFileSystem {
  stat(path: string): Promise<{ kind: 'file' | 'directory'; size: number } | undefined>;
  readDirectory(path: string): Promise<{ name: string; kind: 'file' | 'directory' }[]>;
  /** At most maxBytes from the start of the file, decoded as UTF-8: never reads huge files whole. */
  readHead(path: string, maxBytes: number): Promise<string>;
  /**
   * The head of a data file as the engine reads it (common/data/textFile.ts): decoded from UTF-8 or
   * UTF-16; rejects with UnreadableTextError when it is not text.
   */
  readTextHead(path: string, maxBytes: number): Promise<string>;
  /** Files matching a glob, absolute paths, relative to cwd. */
  glob(pattern: string, cwd: string): Promise<string[]>;
  /**
   * The Hugging Face cache Hub ids are looked up in, and whether HF_HUB_OFFLINE forbids downloads: from
   * the environment of the process that checks. Absent: Hub ids are not looked up.
   */
  readonly huggingfaceCache?: { readonly dir: string; readonly offline: boolean };
}

/** The folder relative paths in the config resolve against; undefined for documents not on disk (untitled:). */
export function configFolder(doc: ConfigDocument): string | undefined {
  if (!doc.uri.startsWith('file:')) return undefined;
  try {
    return path.dirname(fileURLToPath(doc.uri));
  } catch {
    return undefined;
  }
}

export function resolveConfigPath(folder: string, configPath: string): string {
  return path.resolve(folder, configPath);
}

export function isGlobPattern(configPath: string): boolean {
  return /[*?[\]{}]/.test(configPath);
}
