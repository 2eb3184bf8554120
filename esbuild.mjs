// One build for every process: the extension host client, the language server, the CLI, and the
// test suite that runs inside a real VS Code extension host. Type-checking is `npm run typecheck`.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { assembleEngineKernels } from './scripts/assemble-wat.mjs';
import { copyDawn } from './scripts/dawn-binaries.mjs';
import { copyOnnxRuntime } from './scripts/onnxruntime-binaries.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// The platform a .vsix is for (vsce's --target names); decides which native Dawn binary out/ gets.
const target = process.argv.find((arg) => arg.startsWith('--target='))?.slice('--target='.length) ?? `${process.platform}-${process.arch}`;

/** @type {import('esbuild').BuildOptions} */
const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  // The Node bindings of TensorFlow are optional and native: loaded at run time when the user has them.
  // onnxruntime-node is native too: out/node_modules/ carries the target's (scripts/onnxruntime-binaries.mjs),
  // with the one onnxruntime-common that it and the bundled transformers.js share.
  external: ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node', 'onnxruntime-common'],
  // transformers.js imports sharp (libvips) for image pipelines, which NLP Studio does not offer (engine/pipelines/noImageProcessing.ts).
  alias: { sharp: './engine/pipelines/noImageProcessing.ts' },
  logLevel: 'warning',
};

// Webviews: one script and one stylesheet per panel (out/webviews/<panel>.js/.css), for the browser.
/** @type {import('esbuild').BuildOptions} */
const webview = { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: !production, minify: production, logLevel: 'warning' };
const webviewEntries = ['trainingPanel', 'embeddingExplorer'].flatMap((panel) => [
  { in: `webviews/${panel}/main.ts`, out: panel },
  { in: `webviews/${panel}/${panel}.css`, out: panel },
]);

const builds = [
  { ...node, entryPoints: { extension: 'extension/extension.ts' }, outdir: 'out' },
  { ...node, entryPoints: { server: 'server/server.ts' }, outdir: 'out' },
  { ...node, entryPoints: { cli: 'engine/cli.ts' }, outdir: 'out' },
  { ...node, entryPoints: { engine: 'engine/main.ts' }, outdir: 'out' },
  { ...node, entryPoints: { word2vecWorker: 'engine/word2vec/worker.ts' }, outdir: 'out' },
  { ...node, entryPoints: { sparseClassifierWorker: 'engine/sparseClassifier/worker.ts' }, outdir: 'out' },
  { ...node, entryPoints: { 'test/suite/index': 'test/e2e/suite/index.ts' }, outdir: 'out', external: [...node.external, 'mocha'] },
  { ...webview, entryPoints: webviewEntries, outdir: 'out/webviews' },
];
// `--device-check`: what scripts/device/gpu-check.sh runs on a GPU machine that has no node_modules.
if (process.argv.includes('--device-check')) {
  const entryPoints = { cli: 'engine/cli.ts', 'backend-webgpu.test': 'test/unit/backend-webgpu.test.ts', 'gpu-bert-step': 'bench/gpu-bert-step.ts' };
  builds.push({ ...node, entryPoints, outdir: 'out/device' });
}

// The WebAssembly backend's binaries sit next to the bundles that load them (engine/backend/wasmBackend.ts).
const wasmDist = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
await mkdir('out', { recursive: true });
await Promise.all(['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'].map((file) => copyFile(path.join(wasmDist, file), path.join('out', file))));
// The optional native matMul (`npm run build:native`, engine/backend/nativeGemm.ts) joins them when built
// here; it links the machine's OpenBLAS, so the .vsix leaves it out.
const nativeGemm = 'engine/backend/native/build/Release/openblas_gemm.node';
if (existsSync(nativeGemm)) await copyFile(nativeGemm, 'out/openblas_gemm.node');
// The engine's own kernels, written as WebAssembly text (engine/**/*.wat), assembled by wabt.
await assembleEngineKernels('out');
// WebGPU's Dawn is native and per platform (scripts/dawn-binaries.mjs): out/dawn/ holds the target's.
await copyDawn(target, 'out');
await copyOnnxRuntime(target, 'out');

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
