// The Node bindings of TensorFlow (@tensorflow/tfjs-node, -gpu) are never dependencies: their install
// downloads libtensorflow. A user who installed one gets it loaded here at run time, from the engine's
// own folder, the per-user modules folder (engineInstall.ts; where the .vsix's advice installs them),
// or the folders the caller names (the workspace, the config's folder).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { modulesFolder } from './engineInstall';

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

/** Where to look: the engine's own folder, the modules folder, then `searchFrom`, each with its parents (Node's rules). */
function requirers(searchFrom: readonly string[]): NodeJS.Require[] {
  const roots = [__dirname, modulesFolder(), ...searchFrom];
  return [...new Set(roots.map((root) => path.resolve(root)))].map((root) => createRequire(path.join(root, 'noop.js')));
}

/** Finds an optional package without loading it. */
export function locateModule(name: string, searchFrom: readonly string[] = []): ModuleLocation {
  for (const require of requirers(searchFrom)) {
    let entry: string;
    try {
      entry = require.resolve(name);
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
