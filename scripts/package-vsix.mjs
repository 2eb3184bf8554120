#!/usr/bin/env node
// Builds the platform-specific .vsix files, as VS Code's conventions have extensions with native parts
// do (`vsce package --target`): each carries the bundles and only its platform's Dawn binary (the
// native half of the WebGPU backend; scripts/dawn-binaries.mjs). The bundles themselves are pure
// JavaScript and WebAssembly, the same for every target.
//   node scripts/package-vsix.mjs                  this machine's target → out/nlp-studio-<target>.vsix
//   node scripts/package-vsix.mjs --target T …     the named targets
//   node scripts/package-vsix.mjs --all            every target Dawn ships for
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { DAWN_FOLDERS } from './dawn-binaries.mjs';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const named = args.flatMap((arg, i) => (arg === '--target' ? [args[i + 1]] : arg.startsWith('--target=') ? [arg.slice('--target='.length)] : []));
const targets = args.includes('--all') ? Object.keys(DAWN_FOLDERS) : named.length > 0 ? named : [`${process.platform}-${process.arch}`];
const unknown = targets.filter((target) => !(target in DAWN_FOLDERS));
if (unknown.length > 0) {
  console.error(`package-vsix: no build for ${unknown.join(', ')}; targets: ${Object.keys(DAWN_FOLDERS).join(', ')}`);
  process.exit(2);
}
const vsce = createRequire(import.meta.url).resolve('@vscode/vsce/vsce');
for (const target of targets) {
  const out = path.join('out', `nlp-studio-${target}.vsix`);
  execFileSync(process.execPath, ['esbuild.mjs', '--production', `--target=${target}`], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [vsce, 'package', '--target', target, '--no-dependencies', '--no-rewrite-relative-links', '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`packaged ${out}`);
}
