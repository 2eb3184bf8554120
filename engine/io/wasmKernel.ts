// The engine's own WebAssembly kernels are written as WebAssembly text and assembled by wabt
// (scripts/assemble-wat.mjs): engine/**/<name>.wat into out/<name>.wasm by the build, which the bundles
// load; under tsx (tests, benches), where this file runs as TypeScript, from the source on disk, so a
// test never runs a stale binary.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { webAssembly, type WasmModule } from '../word2vec/wasm/webAssemblyApi';

const RUNNING_FROM_SOURCE = __filename.endsWith('.ts');
const REPOSITORY = path.join(__dirname, '../..');
const compiled = new Map<string, Promise<WasmModule>>();

/** The compiled module of `source` (a .wat path from the repository root), once per process; it can be posted to worker threads. */
export function loadWasmKernel(source: string): Promise<WasmModule> {
  let module = compiled.get(source);
  if (!module) {
    module = kernelBytes(source).then((bytes) => new webAssembly.Module(bytes));
    compiled.set(source, module);
  }
  return module;
}

async function kernelBytes(source: string): Promise<Uint8Array> {
  if (RUNNING_FROM_SOURCE) {
    const assembler = (await import(pathToFileURL(path.join(REPOSITORY, 'scripts/assemble-wat.mjs')).href)) as { assembleWat: (file: string) => Promise<Uint8Array> };
    return assembler.assembleWat(path.join(REPOSITORY, source));
  }
  // out/cli.js and out/engine.js sit beside the binary; the e2e suite's bundle is two folders deeper.
  const binary = `${path.basename(source, '.wat')}.wasm`;
  const candidates = [path.join(__dirname, binary), path.join(__dirname, '../..', binary)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`the WebAssembly kernel ${binary} is missing (looked for ${candidates.join(' and ')}); npm run build writes it`);
  return readFile(found);
}
