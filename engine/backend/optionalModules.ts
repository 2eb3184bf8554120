// The Node bindings of TensorFlow (@tensorflow/tfjs-node, -gpu) are never dependencies: their install
// downloads libtensorflow. A user who installed one gets it loaded here at run time, from NLP Studio's
// own installation or the per-user modules folder (engineInstall.ts): exactly where installCommand's
// advice puts them. Never from a folder near the config, the workspace or the current directory, nor
// their parents: loading a package is running its code, and a checkout must not run its own through
// `train` or `env`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { engineInstall, modulesFolder } from './engineInstall';

export const TFJS_NODE = '@tensorflow/tfjs-node';
export const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';
export type OptionalBinding = typeof TFJS_NODE | typeof TFJS_NODE_GPU;

/** What is known about one optional package without loading it. */
export interface ModuleLocation {
  name: string;
  /** The resolved entry point; undefined when not installed anywhere searched. */
  entry?: string;
  version?: string;
}

/** The folders whose own node_modules may hold an optional binding: NLP Studio's installation, then the modules folder. */
export function bindingFolders(): string[] {
  return [...new Set([engineInstall().root, modulesFolder()].map((folder) => path.resolve(folder)))];
}

/** Finds an optional package without loading it, in `<folder>/node_modules/<name>` of bindingFolders() only (no parents, no global folders). */
export function locateModule(name: string): ModuleLocation {
  for (const folder of bindingFolders()) {
    const packageFolder = path.join(folder, 'node_modules', ...name.split('/'));
    let entry: string;
    try {
      // An absolute folder resolves through its own package.json: Node walks no node_modules for it.
      entry = createRequire(path.join(packageFolder, 'package.json')).resolve(packageFolder);
    } catch {
      continue;
    }
    return { name, entry, ...versionNear(entry, name) };
  }
  return { name };
}

/** The version in the package.json of the package `entry` belongs to. */
function versionNear(entry: string, name: string): { version?: string } {
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const json = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (json.name === name) return json.version ? { version: json.version } : {};
    } catch {
      // not this folder
    }
  }
  return {};
}

/**
 * Loads a located package. `createRequire(...)(entry)` is a run-time require esbuild cannot follow,
 * so the bundle never contains (or needs) the package.
 */
export function loadModule(location: ModuleLocation): unknown {
  if (!location.entry) throw new Error(`${location.name} is not installed`);
  return createRequire(location.entry)(location.entry);
}
