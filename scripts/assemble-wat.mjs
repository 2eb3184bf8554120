// WebAssembly text → binary for the engine's hand-written kernels: wabt assembles and validates the
// .wat, then Binaryen inlines its small functions (V8 does not inline WebAssembly calls: without this
// the word2vec kernels run ~20% slower) and optimises; Binaryen keeps IEEE float semantics (no fast
// math), so the result is exact against the scalar reference all the same. Every engine/**/<name>.wat
// becomes out/<name>.wasm beside the bundles (esbuild.mjs); under tsx (tests, benches)
// engine/io/wasmKernel.ts assembles the source itself, so a test always runs the .wat as it is on disk.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';
import initWabt from 'wabt';

/** The post-MVP features the kernels use: SIMD, a shared memory, saturating float→int truncation. */
const WABT_FEATURES = { simd: true, threads: true, sat_float_to_int: true };
const BINARYEN_FEATURES = binaryen.Features.SIMD128 | binaryen.Features.Atomics | binaryen.Features.NontrappingFPToInt | binaryen.Features.MutableGlobals | binaryen.Features.Multivalue;

/** Assembles one .wat file; a syntax or validation error names file:line:column. */
export async function assembleWat(file) {
  const wabt = await initWabt();
  const parsed = wabt.parseWat(file, await readFile(file, 'utf8'), WABT_FEATURES);
  let assembled;
  try {
    parsed.validate(WABT_FEATURES);
    assembled = parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
  return optimise(assembled, file);
}

function optimise(bytes, file) {
  const module = binaryen.readBinary(bytes);
  try {
    module.setFeatures(BINARYEN_FEATURES);
    binaryen.setOptimizeLevel(3);
    binaryen.setShrinkLevel(0);
    binaryen.setFastMath(false);
    binaryen.setAllowInliningFunctionsWithLoops(true);
    binaryen.setFlexibleInlineMaxSize(100_000);
    binaryen.setOneCallerInlineMaxSize(100_000);
    module.optimize();
    if (!module.validate()) throw new Error(`${file}: Binaryen's optimised module does not validate`);
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

const ENGINE = fileURLToPath(new URL('../engine', import.meta.url));

/** Assembles every engine/**\/*.wat into `outdir` (the build's out/, or a test's own bundle folder). */
export async function assembleEngineKernels(outdir) {
  const sources = (await readdir(ENGINE, { recursive: true })).filter((file) => file.endsWith('.wat'));
  await Promise.all(sources.map(async (file) => writeFile(path.join(outdir, `${path.basename(file, '.wat')}.wasm`), await assembleWat(path.join(ENGINE, file)))));
}
