// Repairs to the stock WebAssembly backend (tfjs-backend-wasm 4.22) that BERT training needs: the
// gradient of every embedding lookup (UnsortedSegmentSum, missing), and matrix products that take the
// XNNPACK path (~20 GFLOP/s) instead of the backend's generic loop (1–2 GFLOP/s), which it uses
// whenever an operand is transposed or batched — every matMul gradient and all of attention. Two
// smaller ones found by profiling a training step: Identity (which the engine runs on every tensor
// it saves for the backward pass) shares the data instead of copying it, and sums over leading axes
// (every bias and LayerNorm gradient) run row by row instead of transposing first. When the optional
// OpenBLAS addon is built (nativeGemm.ts), matrix products go to it instead, on the heap in place.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeGemm, type NativeGemm } from './nativeGemm';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** A kernel's one output (`KernelFunc` is typed to return one or several). */
function single(output: tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo {
  if (Array.isArray(output)) throw new Error('expected a kernel with one output');
  return output;
}

/**
 * out[s, …] = Σ x[i, …] over the i with segmentIds[i] = s; ids outside [0, numSegments) are dropped,
 * as TensorFlow does. Plain loops over the wasm heap: the embedding gradient is a few adds per element.
 */
function unsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const x = inputs.x as tf.TensorInfo;
  const segmentIds = inputs.segmentIds as tf.TensorInfo;
  const numSegments = (attrs as { numSegments: number }).numSegments;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum (wasm): dtype ${x.dtype} is not supported`);
  const rows = segmentIds.shape.reduce((size, dim) => size * dim, 1);
  const width = rows === 0 ? 0 : x.shape.reduce((size, dim) => size * dim, 1) / rows;
  const inner = x.shape.slice(segmentIds.shape.length);
  const out = wasm.makeOutput([numSegments, ...inner], x.dtype);
  // Views into the heap; taken after makeOutput, which may grow (and so detach) the memory.
  const ids = wasm.typedArrayFromHeap(segmentIds);
  const values = wasm.typedArrayFromHeap(x);
  const sums = wasm.typedArrayFromHeap(out);
  sums.fill(0);
  for (let row = 0; row < rows; row++) {
    const segment = ids[row]!;
    if (segment < 0 || segment >= numSegments) continue;
    const from = row * width;
    const to = segment * width;
    for (let k = 0; k < width; k++) sums[to + k]! += values[from + k]!;
  }
  return out;
}

/** A new 2-D tensor of the wasm heap holding `from`'s elements from `offset` on, as many as `shape` takes. */
function copyRows(backend: BackendWasm, from: tf.TensorInfo, offset: number, shape: [number, number]): tf.TensorInfo {
  const part = backend.makeOutput(shape, from.dtype);
  const size = shape[0] * shape[1];
  backend.typedArrayFromHeap(part).set(backend.typedArrayFromHeap(from).subarray(offset, offset + size));
  return part;
}

/**
 * Wraps the stock BatchMatMul so that every product it computes is one rank-2, untransposed
 * [M, K]×[K, N] — the only case the stock kernel sends to XNNPACK. Transposed operands are transposed
 * first (one wasm Transpose, far cheaper than the slow loop); a batch whose right operand is shared is
 * one tall product; any other batch is a loop of per-matrix products on copies of the slices.
 */
function fastBatchMatMul(stock: tf.KernelFunc, transposeKernel: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const a = inputs.a as tf.TensorInfo;
    const b = inputs.b as tf.TensorInfo;
    const temporaries: tf.TensorInfo[] = [];
    const swapLastTwo = (t: tf.TensorInfo): tf.TensorInfo => {
      const rank = t.shape.length;
      const perm = [...Array(rank).keys()];
      [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
      const transposed = single(transposeKernel({ inputs: { x: t }, backend, attrs: { perm } }));
      temporaries.push(transposed);
      return transposed;
    };
    try {
      const left = transposeA ? swapLastTwo(a) : a;
      const right = transposeB ? swapLastTwo(b) : b;
      const m = left.shape[left.shape.length - 2]!;
      const k = left.shape[left.shape.length - 1]!;
      const n = right.shape[right.shape.length - 1]!;
      const batchA = left.shape.slice(0, -2).reduce((size, dim) => size * dim, 1);
      const batchB = right.shape.slice(0, -2).reduce((size, dim) => size * dim, 1);
      const outShape = tf.broadcast_util.assertAndGetBroadcastShape(left.shape.slice(0, -2), right.shape.slice(0, -2)).concat([m, n]);
      const product = (x: tf.TensorInfo, y: tf.TensorInfo): tf.TensorInfo =>
        single(stock({ inputs: { a: x, b: y }, backend, attrs: { transposeA: false, transposeB: false } }));
      if (batchB === 1) {
        // [batch·M, K]×[K, N]: the same dataIds under other shapes, no copy. The stock kernel caches an
        // XNNPACK operator by the right operand's id; [K, N] is the shape that id always has here.
        const result = product({ ...left, shape: [batchA * m, k] }, { ...right, shape: [k, n] });
        return { ...result, shape: outShape };
      }
      if (batchA !== batchB && batchA !== 1) throw new Error(`BatchMatMul (wasm): batch ${batchA} and ${batchB} do not broadcast`);
      const out = wasm.makeOutput(outShape, 'float32');
      for (let i = 0; i < batchB; i++) {
        const x = copyRows(wasm, left, batchA === 1 ? 0 : i * m * k, [m, k]);
        const y = copyRows(wasm, right, i * k * n, [k, n]);
        const z = product(x, y);
        wasm.typedArrayFromHeap(out).set(wasm.typedArrayFromHeap(z), i * m * n);
        for (const t of [x, y, z]) wasm.disposeData(t.dataId);
      }
      return out;
    } finally {
      for (const t of temporaries) wasm.disposeData(t.dataId);
    }
  };
}

/** Tensors are immutable on this backend (kernels always write new outputs): a copy can share. */
function sharedIdentity({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  (backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Σ over the leading axes of a float32 [R, C] view, a row at a time in JS; otherwise the stock Sum. */
function fastSum(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = backend as BackendWasm;
    const x = inputs.x as tf.TensorInfo;
    const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return stock(args);
    const rows = x.shape.slice(0, axes.length).reduce((size, dim) => size * dim, 1);
    const rest = x.shape.slice(axes.length);
    const columns = rest.reduce((size, dim) => size * dim, 1);
    const out = wasm.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
    const values = wasm.typedArrayFromHeap(x);
    // Sequential rows into a float64 accumulator: fast in JS and no less exact than the stock loop.
    const sums = new Float64Array(columns);
    for (let row = 0, offset = 0; row < rows; row++, offset += columns) {
      for (let column = 0; column < columns; column++) sums[column]! += values[offset + column]!;
    }
    wasm.typedArrayFromHeap(out).set(sums);
    return out;
  };
}

/**
 * BatchMatMul by OpenBLAS on the heap in place: transposes are sgemm flags, a shared right operand
 * makes one tall product, any other batch a loop of sgemm calls inside the addon.
 */
function nativeBatchMatMul(gemm: NativeGemm): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const a = inputs.a as tf.TensorInfo;
    const b = inputs.b as tf.TensorInfo;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('BatchMatMul (wasm): only float32 tensors are supported');
    const rankA = a.shape.length;
    const rankB = b.shape.length;
    const m = a.shape[transposeA ? rankA - 1 : rankA - 2]!;
    const k = a.shape[transposeA ? rankA - 2 : rankA - 1]!;
    const n = b.shape[transposeB ? rankB - 2 : rankB - 1]!;
    const kB = b.shape[transposeB ? rankB - 1 : rankB - 2]!;
    if (k !== kB) throw new Error(`Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape.join(', ')} and ${b.shape.join(', ')} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
    const batchA = a.shape.slice(0, -2).reduce((size, dim) => size * dim, 1);
    const batchB = b.shape.slice(0, -2).reduce((size, dim) => size * dim, 1);
    if (batchA !== batchB && batchA !== 1 && batchB !== 1) throw new Error(`BatchMatMul (wasm): batch ${batchA} and ${batchB} do not broadcast`);
    const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)).concat([m, n]);
    const out = wasm.makeOutput(outShape, 'float32');
    // Views after makeOutput: growing the heap detaches older ones.
    const [av, bv, cv] = [a, b, out].map((t) => wasm.typedArrayFromHeap(t) as Float32Array) as [Float32Array, Float32Array, Float32Array];
    if (batchB === 1 && !transposeA) gemm.sgemmBatched(av, bv, cv, 1, batchA * m, n, k, false, transposeB, 0, 0);
    else gemm.sgemmBatched(av, bv, cv, Math.max(batchA, batchB), m, n, k, transposeA, transposeB, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n);
    return out;
  };
}

let nativeEnabled = true;

/** Turns the native OpenBLAS matMul on or off (tests compare both); answers whether it is in use. */
export function useNativeGemm(enabled: boolean): boolean {
  nativeEnabled = enabled;
  return enabled && nativeGemm().gemm !== undefined;
}

/** Native when the addon is loaded and enabled, else the XNNPACK route; decided per call. */
function batchMatMul(xnnpack: tf.KernelFunc): tf.KernelFunc {
  const gemm = nativeGemm().gemm;
  const native = gemm ? nativeBatchMatMul(gemm) : undefined;
  return (args) => (native && nativeEnabled ? native(args) : xnnpack(args));
}

let installed = false;

/**
 * Registers the repairs for the 'wasm' backend; idempotent. Call after importing
 * `@tensorflow/tfjs-backend-wasm` (which registers the stock kernels) and before the backend starts,
 * so the stock kernel's setup runs as part of ours.
 */
export function installWasmKernelFixes(): void {
  if (installed) return;
  installed = true;
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum });
  }
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!stock || !transpose) throw new Error('@tensorflow/tfjs-backend-wasm did not register BatchMatMul and Transpose');
  const sum = tf.getKernel('Sum', 'wasm');
  if (!sum) throw new Error('@tensorflow/tfjs-backend-wasm did not register Sum');
  for (const name of ['BatchMatMul', 'Identity', 'Sum']) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: sharedIdentity });
  tf.registerKernel({ kernelName: 'Sum', backendName: 'wasm', ...(sum.setupFunc ? { setupFunc: sum.setupFunc } : {}), kernelFunc: fastSum(sum.kernelFunc) });
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}),
    kernelFunc: batchMatMul(fastBatchMatMul(stock.kernelFunc, transpose.kernelFunc)),
  });
}
