// ConfigFileSystem on the local disk, for the language server and the CLI.
import { open, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
// The require form makes esbuild bundle tinyglobby's CommonJS build: its ESM build (and fdir's) reads
// import.meta.url, which is empty in the CommonJS bundles of the server and the CLI.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import tinyglobby = require('tinyglobby');
import { readTextHead } from '../data/textFile';
import { hubCacheDir, isHubOffline } from '../huggingface/hubCache';
import type { ConfigFileSystem } from './fileSystem';

export const nodeFileSystem: ConfigFileSystem = {
  huggingfaceCache: { dir: hubCacheDir(process.env, homedir()), offline: isHubOffline(process.env) },

  async stat(path) {
    try {
      const info = await stat(path);
      if (info.isFile()) return { kind: 'file', size: info.size };
      if (info.isDirectory()) return { kind: 'directory', size: info.size };
      return undefined;
    } catch {
      return undefined;
    }
  },

  async readDirectory(path) {
    try {
      const entries = await readdir(path, { withFileTypes: true });
      // Symbolic links count as what they point at: a Hugging Face cache snapshot is made of them.
      const kinds = await Promise.all(
        entries.map(async (entry) => {
          const target = entry.isSymbolicLink() ? await stat(join(path, entry.name)).catch(() => undefined) : entry;
          return target?.isDirectory() ? ('directory' as const) : target?.isFile() ? ('file' as const) : undefined;
        }),
      );
      return entries.flatMap((entry, i) => (kinds[i] === undefined ? [] : [{ name: entry.name, kind: kinds[i] }]));
    } catch {
      return [];
    }
  },

  async readHead(path, maxBytes) {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(maxBytes);
      const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0);
      return buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  },

  readTextHead,

  async glob(pattern, cwd) {
    try {
      return await tinyglobby.glob(pattern, { cwd, absolute: true, onlyFiles: true, expandDirectories: false });
    } catch {
      return [];
    }
  },
};
