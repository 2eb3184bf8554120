// One build for every process: the extension host client, the language server, the CLI, and the
// test suite that runs inside a real VS Code extension host. Type-checking is `npm run typecheck`.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  external: ['vscode'],
  logLevel: 'warning',
  // ESM dependencies (transformers.js) read import.meta.url, which a CommonJS bundle lacks: give them the bundle's own.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('url').pathToFileURL(__filename).href;" },
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
  { ...node, entryPoints: { 'test/suite/index': 'test/e2e/suite/index.ts' }, outdir: 'out', external: ['vscode', 'mocha'] },
  { ...webview, entryPoints: webviewEntries, outdir: 'out/webviews' },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
