// Starting TensorFlow.js' WebAssembly backend in Node: its .wasm binaries are found next to the bundle
// (esbuild.mjs copies them to out/) or in the package when running from source, and the two kernel
// repairs of wasmKernels.ts are installed before it starts.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { nativeGemm } from './nativeGemm';
import { installWasmKernelFixes } from './wasmKernels';

/** The binaries the engine uses in Node: SIMD, and the plain build for runtimes without SIMD. */
export const WASM_BINARIES = ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'] as const;

/** The folder holding the .wasm binaries: the bundle's own (out/), else the installed package's dist/. */
export function wasmBinaryFolder(): string | undefined {
  const candidates = [__dirname];
  try {
    candidates.push(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')));
  } catch {
    // bundled, without node_modules: only out/
  }
  return candidates.find((folder) => WASM_BINARIES.every((file) => existsSync(path.join(folder, file))));
}

export interface WasmStatus {
  ok: boolean;
  simd: boolean;
  folder?: string;
  error?: string;
  /** Whether matrix products run through the optional native OpenBLAS addon, and why (not). */
  nativeGemm?: { loaded: boolean; note: string };
}

let started: Promise<WasmStatus> | undefined;

async function start(): Promise<WasmStatus> {
  // Threads do not work in Node (setThreadsCount has no effect); never pick the threaded binary.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const folder = wasmBinaryFolder();
  if (!folder) return { ok: false, simd, error: `the WebAssembly binaries (${WASM_BINARIES.join(', ')}) are missing next to the engine` };
  installWasmKernelFixes();
  setWasmPaths(`${folder}${path.sep}`);
  // setBackend answers false when the backend fails to start; getBackend may still name it then.
  const ok = await tf.setBackend('wasm');
  if (!ok) return { ok, simd, folder, error: 'the WebAssembly backend failed to start' };
  const gemm = nativeGemm();
  return { ok, simd, folder, nativeGemm: { loaded: gemm.gemm !== undefined, note: gemm.note } };
}

/** Starts the WebAssembly backend once per process (its binaries load once) and makes it current. */
export function startWasm(): Promise<WasmStatus> {
  started ??= start().catch((error: unknown) => ({ ok: false, simd: false, error: error instanceof Error ? error.message : String(error) }));
  return started;
}
