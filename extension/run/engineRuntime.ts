// Which program runs the engine process. VS Code's own runtime is Electron, which forbids ArrayBuffers
// over native memory — exactly what WebGPU's Dawn hands out for every GPU buffer it maps — so under
// Electron the engine runs on a Node.js 20+ when there is one: `nlpStudio.engine.nodePath`, else `node`
// on PATH. Without one it runs on VS Code's runtime as plain Node, where every backend but webgpu
// works (the environment report says why the GPU is not used then). Outside Electron (code-server,
// the CLI) the current Node is kept.
import { execFileSync } from 'node:child_process';

export interface EngineRuntime {
  /** The Node.js to fork the engine with; undefined: VS Code's runtime (process.execPath). */
  execPath?: string;
  /** For the engine log. */
  description: string;
}

const MINIMUM_MAJOR = 20;

/** `node --version` of `file` when it is a Node.js new enough for the engine's bundle. */
function usableNode(file: string): string | undefined {
  try {
    const version = execFileSync(file, ['--version'], { encoding: 'utf8', timeout: 5000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }).trim();
    const major = Number(/^v(\d+)\./.exec(version)?.[1]);
    return major >= MINIMUM_MAJOR ? version : undefined;
  } catch {
    return undefined;
  }
}

export function engineRuntime(configuredNodePath: string | undefined): EngineRuntime {
  const electron = process.versions.electron;
  if (!electron) return { description: `Node.js ${process.version} (${process.execPath})` };
  for (const candidate of [configuredNodePath, 'node'].filter((file): file is string => Boolean(file))) {
    const version = usableNode(candidate);
    if (version) return { execPath: candidate, description: `Node.js ${version} (${candidate}), so that WebGPU can run` };
  }
  const asked = configuredNodePath ? `nlpStudio.engine.nodePath (${configuredNodePath}) is not a Node.js ${MINIMUM_MAJOR}+` : `no Node.js ${MINIMUM_MAJOR}+ on PATH`;
  return { description: `VS Code's Electron ${electron} runtime: ${asked}, and WebGPU cannot run under Electron` };
}
