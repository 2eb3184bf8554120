// Dawn, the native half of WebGPU (the `webgpu` package), per VS Code platform target: the folder of
// node_modules/webgpu/dist/ that a target's .vsix carries as out/dawn/ (engine/backend/webgpuBackend.ts
// loads out/dawn/dawn.node). Windows needs the shader compiler DLLs beside dawn.node; macOS has one
// universal binary. esbuild.mjs copies the folder for `--target=<target>` (default: this machine).
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** vsce target → node_modules/webgpu/dist/<folder> */
export const DAWN_FOLDERS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
  'darwin-x64': 'darwin-universal',
  'darwin-arm64': 'darwin-universal',
};

/** Names the package version beside the binary, for the environment report. */
export const DAWN_VERSION_FILE = 'webgpu-version.json';

/** Replaces `outDir`/dawn with the target's Dawn files, Dawn's licence and the version; returns the folder. */
export async function copyDawn(target, outDir) {
  const folder = DAWN_FOLDERS[target];
  if (!folder) throw new Error(`no Dawn binary for target ${target}; targets: ${Object.keys(DAWN_FOLDERS).join(', ')}`);
  const webgpu = path.dirname(createRequire(import.meta.url).resolve('webgpu/package.json'));
  const destination = path.join(outDir, 'dawn');
  await rm(destination, { recursive: true, force: true });
  await mkdir(destination, { recursive: true });
  await cp(path.join(webgpu, 'dist', folder), destination, { recursive: true });
  await cp(path.join(webgpu, 'LICENSE.md'), path.join(destination, 'LICENSE.md'));
  const { version } = JSON.parse(await readFile(path.join(webgpu, 'package.json'), 'utf8'));
  await writeFile(path.join(destination, DAWN_VERSION_FILE), `${JSON.stringify({ version })}\n`);
  return destination;
}
