// onnxruntime-node, the native runtime of ONNX predictions and transformers.js pipelines, per VS Code
// platform target: its JavaScript and the bin/napi-v6/<platform>/<arch>/ folder of the target (the
// N-API binding and libonnxruntime; on Windows also DirectML and the DirectX shader compiler it loads),
// with onnxruntime-common, copied to out/node_modules/ so `require('onnxruntime-node')` from the
// bundles finds them with no node_modules installed. esbuild.mjs copies them for `--target=<target>`.
// onnxruntime-node 1.30 ships no darwin-x64 binary: that target's .vsix predicts with TensorFlow.js.
import { cp, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** vsce target → node_modules/onnxruntime-node/bin/napi-v6/<folder>, or null where the package has none. */
export const ONNXRUNTIME_FOLDERS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
  'darwin-x64': null,
  'darwin-arm64': 'darwin/arm64',
};

const require = createRequire(import.meta.url);
const packageFolder = (name) => path.dirname(require.resolve(`${name}/package.json`));

/** Replaces `outDir`/node_modules/onnxruntime-{node,common} with the target's files; returns the folder, or null when the target has none. */
export async function copyOnnxRuntime(target, outDir) {
  if (!(target in ONNXRUNTIME_FOLDERS)) throw new Error(`no onnxruntime entry for target ${target}; targets: ${Object.keys(ONNXRUNTIME_FOLDERS).join(', ')}`);
  const modules = path.join(outDir, 'node_modules');
  const node = path.join(modules, 'onnxruntime-node');
  const common = path.join(modules, 'onnxruntime-common');
  await Promise.all([node, common].map((folder) => rm(folder, { recursive: true, force: true })));
  const binaries = ONNXRUNTIME_FOLDERS[target];
  if (binaries === null) return null;
  const nodeSource = packageFolder('onnxruntime-node');
  // onnxruntime-node's own onnxruntime-common: transformers.js and the engine share that one copy.
  const commonEntry = createRequire(path.join(nodeSource, 'package.json')).resolve('onnxruntime-common'); // …/dist/cjs/index.js
  const commonSource = path.resolve(path.dirname(commonEntry), '..', '..');
  await mkdir(path.join(node, 'bin', 'napi-v6'), { recursive: true });
  const javascript = (source) => !source.endsWith('.map') && !source.endsWith('.d.ts');
  await cp(path.join(nodeSource, 'dist'), path.join(node, 'dist'), { recursive: true, filter: javascript });
  await cp(path.join(nodeSource, 'bin', 'napi-v6', binaries), path.join(node, 'bin', 'napi-v6', binaries), { recursive: true });
  for (const file of ['package.json', 'README.md']) await cp(path.join(nodeSource, file), path.join(node, file));
  await cp(path.join(commonSource, 'dist', 'cjs'), path.join(common, 'dist', 'cjs'), { recursive: true, filter: javascript });
  await cp(path.join(commonSource, 'package.json'), path.join(common, 'package.json'));
  return node;
}
