// The optional native matrix product for the WebAssembly backend: OpenBLAS' sgemm through a small
// N-API addon (engine/backend/native, `npm run build:native`, needs libopenblas-dev). It reads and
// writes the wasm heap in place. Absent, unloadable, or NLP_STUDIO_NATIVE_GEMM=0: XNNPACK does the work.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export interface NativeGemm {
  /** For i < batch: C_i[m, n] = op(A_i)·op(B_i), row-major; A_i at i·strideA (0 broadcasts), B_i at i·strideB, C_i at i·m·n. */
  sgemmBatched(a: Float32Array, b: Float32Array, c: Float32Array, batch: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean, strideA: number, strideB: number): void;
  setThreads(threads: number): void;
  threads(): number;
}

export const NATIVE_GEMM_FILE = 'openblas_gemm.node';

/** Next to the bundle (esbuild.mjs copies a built addon to out/), else where node-gyp builds it. */
function addonPath(): string | undefined {
  const candidates = [path.join(__dirname, NATIVE_GEMM_FILE), path.join(__dirname, 'native', 'build', 'Release', NATIVE_GEMM_FILE)];
  return candidates.find((file) => existsSync(file));
}

export interface NativeGemmStatus {
  gemm?: NativeGemm;
  /** What was found, for the backend's reason and the environment report. */
  note: string;
}

let status: NativeGemmStatus | undefined;

export function nativeGemm(): NativeGemmStatus {
  if (status) return status;
  if (process.env.NLP_STUDIO_NATIVE_GEMM === '0') return (status = { note: 'native OpenBLAS matMul off (NLP_STUDIO_NATIVE_GEMM=0)' });
  const file = addonPath();
  if (!file) return (status = { note: 'no native OpenBLAS matMul (npm run build:native builds it)' });
  try {
    const gemm = createRequire(file)(file) as NativeGemm;
    return (status = { gemm, note: `matMul through OpenBLAS (${gemm.threads()} thread${gemm.threads() === 1 ? '' : 's'})` });
  } catch (error) {
    return (status = { note: `native OpenBLAS matMul does not load (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})` });
  }
}
