// Where NLP Studio runs from, which decides where an optional package (tfjs-node, tfjs-node-gpu) must
// be installed for the engine to find it, and so what the advice says: a checkout (or an npm install)
// has its own node_modules; the .vsix has none, so its optional packages go to a per-user folder.
// Never the user's data workspace: that is not where a .vsix user's tools belong.
import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Overrides the per-user folder that optional packages are installed into for the .vsix. */
export const MODULES_ENV = 'NLP_STUDIO_MODULES';

export interface EngineInstall {
  /** 'checkout': a folder with package.json and node_modules; 'vsix': the installed extension. */
  kind: 'checkout' | 'vsix';
  /** The folder holding NLP Studio's package.json. */
  root: string;
  /** Where `npm install --prefix` puts optional packages for the .vsix (searched in checkouts too). */
  modulesFolder: string;
}

/** The per-user folder for optional packages: $NLP_STUDIO_MODULES, else ~/.nlp-studio/modules. */
export function modulesFolder(env: NodeJS.ProcessEnv = process.env): string {
  return env[MODULES_ENV] || path.join(os.homedir(), '.nlp-studio', 'modules');
}

function packageRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'nlp-studio') return dir;
    } catch {
      // not here
    }
  }
  return path.dirname(from);
}

let cached: EngineInstall | undefined;

export function engineInstall(): EngineInstall {
  if (cached) return cached;
  const root = packageRoot(__dirname);
  cached = { kind: existsSync(path.join(root, 'node_modules')) ? 'checkout' : 'vsix', root, modulesFolder: modulesFolder() };
  return cached;
}

/** The command that installs `spec` (e.g. "@tensorflow/tfjs-node@4.22.0") where this engine finds it. */
export function installCommand(spec: string, install: EngineInstall = engineInstall()): string {
  // --no-save: an optional package the user adds must not change the checkout's package.json.
  return install.kind === 'checkout' ? `cd "${install.root}" && npm install --no-save ${spec}` : `npm install --prefix "${install.modulesFolder}" ${spec}`;
}
