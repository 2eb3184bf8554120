// The sparse classifier's row loops as WebAssembly with 128-bit SIMD, over its shared memory: pooling
// an example's token rows (mean, and max with the winning row of every lane), scattering the pooled
// gradient back into per-batch gradient slots, and the optimiser's update of the touched rows.
// Profiled first in plain TypeScript: the Adam row update (~33% of a thread's time), pooling (~26%)
// and the scatter (~21%) were the hot loops; the head (a few hundred floats) stays in TypeScript.
// Rows are `stride` floats, a multiple of 4 (layout.ts pads them), so every loop is whole v128 lanes.
// Encoded with the word2vec kernels' small WebAssembly encoder (no wasm toolchain in the build).
import { encodeModule, FunctionBuilder, Op, SimdOp, ValType, type Local } from '../word2vec/wasm/wasmEncoder';
import { webAssembly, type WasmMemory, type WasmModule } from '../word2vec/wasm/webAssemblyApi';

/** SIMD opcodes beyond the ones word2vec's kernels need. */
const Simd = { ...SimdOp, i32x4Splat: 0x11, f32x4Gt: 0x44, v128Bitselect: 0x52, f32x4Sqrt: 0xe3, f32x4Div: 0xe7 } as const;
const F64_PROMOTE_F32 = Op.f64PromoteF32;

/** The exported functions; every pointer is a byte address in the shared memory. */
export interface SimdKernels {
  /** out = scale · Σ rows(tokens) */
  poolMean(tokens: number, count: number, embeddings: number, stride: number, out: number, scale: number): void;
  /** out = lane-wise max of rows(tokens); arg (i32 per lane) = the row that won it */
  poolMax(tokens: number, count: number, embeddings: number, stride: number, out: number, arg: number): void;
  /** For each token: gradient[slot(row)] += scale · source (a slot is claimed and zeroed the first time a row is seen). */
  scatterMean(tokens: number, count: number, source: number, scale: number, slots: number): void;
  /** For each lane d: gradient[slot(arg[d])][d] += source[d]. */
  scatterMax(arg: number, source: number, stride: number, slots: number): void;
  /**
   * AdamW of every touched row that has optimiser state: each row's own step picks its bias
   * corrections from `corrections` (f32 pairs 1/(1−β1^t), √(1−β2^t) for t = 0…size−1, the last
   * repeated beyond); `decay` is 1 − lr·λ and `clip` scales the gradient.
   */
  adamRows(slots: number, state: number, lr: number, beta1: number, beta2: number, epsilon: number, decay: number, clip: number): void;
  /** row −= lr · gradient for every touched row. */
  sgdRows(slots: number, lr: number): void;
  /** Σ x² of `count` floats at `at` (a multiple of 4). */
  sumSquares(at: number, count: number): number;
  /** Forgets the batch's slots (slotOf back to −1, count 0). */
  releaseSlots(slots: number): void;
}

/**
 * Byte offsets in a thread's slot block (SLOT_BLOCK_BYTES, 16-aligned): the addresses of its slot
 * arrays and the number of slots the batch has claimed.
 */
export const SlotBlock = {
  /** i32 [rows]: slot of a row, −1 when the batch has not touched it */
  slotOf: 0,
  /** i32 [slots]: the row of each slot */
  slotRows: 4,
  /** f32 [slots × stride] */
  gradient: 8,
  /** i32: slots claimed by this batch */
  count: 12,
  /** f32 rows [rows × stride] */
  embeddings: 16,
  stride: 20,
} as const;
export const SLOT_BLOCK_BYTES = 32;

/** Byte offsets in the optimiser-state block (STATE_BLOCK_BYTES). */
export const StateBlock = {
  /** i32 [rows]: state row of a row, −1 when it never trains */
  stateOf: 0,
  m: 4,
  v: 8,
  /** i32 [state rows]: updates of each state row */
  steps: 12,
  corrections: 16,
  /** entries in `corrections` */
  size: 20,
} as const;
export const STATE_BLOCK_BYTES = 32;

const i32Local = (f: FunctionBuilder): Local => f.local(ValType.I32);

/** `for (at = from; at < to; at += step) body()` over byte addresses. */
function forBytes(f: FunctionBuilder, at: Local, to: Local, step: number, body: () => void): void {
  f.block(() =>
    f.loop(() => {
      f.get(at).get(to).op(Op.i32GeU).brIf(1);
      body();
      f.get(at).i32(step).op(Op.i32Add).set(at);
      f.br(0);
    }),
  );
}

/** `for (i = 0; i < count; i++) body()`. */
function forCount(f: FunctionBuilder, i: Local, count: Local, body: () => void): void {
  f.i32(0).set(i);
  f.block(() =>
    f.loop(() => {
      f.get(i).get(count).op(Op.i32GeS).brIf(1);
      f.block(body);
      f.get(i).i32(1).op(Op.i32Add).set(i);
      f.br(0);
    }),
  );
}

/** Pushes the address of row `row` (an i32 local) of a matrix at `base` with `rowBytes` per row. */
function rowAddress(f: FunctionBuilder, base: Local, row: Local, rowBytes: Local): void {
  f.get(base).get(row).get(rowBytes).op(Op.i32Mul, Op.i32Add);
}

function loadField(f: FunctionBuilder, block: Local, offset: number): Local {
  const local = i32Local(f);
  f.get(block).mem(Op.i32Load, 2, offset).set(local);
  return local;
}

function poolMeanFunction(): FunctionBuilder {
  const f = new FunctionBuilder([ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.F32], []);
  const [tokens, count, embeddings, stride, out, scale] = [0, 1, 2, 3, 4, 5].map((i) => f.param(i)) as [Local, Local, Local, Local, Local, Local];
  const [t, end, row, k, rowBytes, outEnd] = [i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f)];
  const splat = f.local(ValType.V128);
  f.get(stride).i32(2).op(Op.i32Shl).set(rowBytes);
  f.get(out).get(rowBytes).op(Op.i32Add).set(outEnd);
  f.get(out).set(k);
  forBytes(f, k, outEnd, 16, () => f.get(k).v128Zero().v128Store());
  f.get(tokens).set(t);
  f.get(tokens).get(count).i32(2).op(Op.i32Shl, Op.i32Add).set(end);
  forBytes(f, t, end, 4, () => {
    f.get(t).mem(Op.i32Load, 2).set(row);
    f.get(embeddings).get(row).get(rowBytes).op(Op.i32Mul, Op.i32Add).set(row);
    f.get(out).set(k);
    forBytes(f, k, outEnd, 16, () => {
      f.get(k).get(k).v128Load().get(row).v128Load().simd(Simd.f32x4Add).v128Store();
      f.get(row).i32(16).op(Op.i32Add).set(row);
    });
  });
  f.get(scale).simd(Simd.f32x4Splat).set(splat);
  f.get(out).set(k);
  forBytes(f, k, outEnd, 16, () => f.get(k).get(k).v128Load().get(splat).simd(Simd.f32x4Mul).v128Store());
  return f;
}

function poolMaxFunction(): FunctionBuilder {
  const f = new FunctionBuilder([ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32], []);
  const [tokens, count, embeddings, stride, out, arg] = [0, 1, 2, 3, 4, 5].map((i) => f.param(i)) as [Local, Local, Local, Local, Local, Local];
  const [t, end, id, row, k, a, rowBytes, outEnd] = [i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f)];
  const [ids, value, best, mask] = [f.local(ValType.V128), f.local(ValType.V128), f.local(ValType.V128), f.local(ValType.V128)];
  f.get(stride).i32(2).op(Op.i32Shl).set(rowBytes);
  f.get(out).get(rowBytes).op(Op.i32Add).set(outEnd);
  f.get(tokens).set(t);
  f.get(tokens).get(count).i32(2).op(Op.i32Shl, Op.i32Add).set(end);
  /** The token at `t`: its id in every lane of `ids`, `row` its row's address, `k` and `a` the starts of out and arg. */
  const startToken = (): void => {
    f.get(t).mem(Op.i32Load, 2).set(id);
    f.get(id).simd(Simd.i32x4Splat).set(ids);
    rowAddress(f, embeddings, id, rowBytes);
    f.set(row);
    f.get(out).set(k).get(arg).set(a);
  };
  // the first token's row as it is, then the running max
  startToken();
  forBytes(f, k, outEnd, 16, () => {
    f.get(k).get(row).v128Load().v128Store();
    f.get(a).get(ids).v128Store();
    f.get(row).i32(16).op(Op.i32Add).set(row);
    f.get(a).i32(16).op(Op.i32Add).set(a);
  });
  f.get(t).i32(4).op(Op.i32Add).set(t);
  forBytes(f, t, end, 4, () => {
    startToken();
    forBytes(f, k, outEnd, 16, () => {
      f.get(row).v128Load().set(value);
      f.get(k).v128Load().set(best);
      f.get(value).get(best).simd(Simd.f32x4Gt).set(mask);
      f.get(k).get(value).get(best).get(mask).simd(Simd.v128Bitselect).v128Store();
      f.get(a).get(ids).get(a).v128Load().get(mask).simd(Simd.v128Bitselect).v128Store();
      f.get(row).i32(16).op(Op.i32Add).set(row);
      f.get(a).i32(16).op(Op.i32Add).set(a);
    });
  });
  return f;
}

interface SlotLocals {
  slotOf: Local;
  slotRows: Local;
  gradient: Local;
  rowBytes: Local;
}

function loadSlotBlock(f: FunctionBuilder, slots: Local): SlotLocals {
  const s: SlotLocals = {
    slotOf: loadField(f, slots, SlotBlock.slotOf),
    slotRows: loadField(f, slots, SlotBlock.slotRows),
    gradient: loadField(f, slots, SlotBlock.gradient),
    rowBytes: i32Local(f),
  };
  f.get(slots).mem(Op.i32Load, 2, SlotBlock.stride).i32(2).op(Op.i32Shl).set(s.rowBytes);
  return s;
}

/** Sets `into` to the gradient row address of embedding row `row`, claiming and zeroing a slot when it is new. */
function emitSlotRow(f: FunctionBuilder, slots: Local, s: SlotLocals, row: Local, slot: Local, into: Local, k: Local, end: Local): void {
  f.get(s.slotOf).get(row).i32(2).op(Op.i32Shl, Op.i32Add).mem(Op.i32Load, 2).set(slot);
  f.get(slot).i32(0).op(Op.i32LtS);
  f.if(() => {
    f.get(slots).mem(Op.i32Load, 2, SlotBlock.count).set(slot);
    f.get(slots).get(slot).i32(1).op(Op.i32Add).mem(Op.i32Store, 2, SlotBlock.count);
    f.get(s.slotOf).get(row).i32(2).op(Op.i32Shl, Op.i32Add).get(slot).mem(Op.i32Store, 2);
    f.get(s.slotRows).get(slot).i32(2).op(Op.i32Shl, Op.i32Add).get(row).mem(Op.i32Store, 2);
    rowAddress(f, s.gradient, slot, s.rowBytes);
    f.tee(k).get(s.rowBytes).op(Op.i32Add).set(end);
    forBytes(f, k, end, 16, () => f.get(k).v128Zero().v128Store());
  });
  rowAddress(f, s.gradient, slot, s.rowBytes);
  f.set(into);
}

function scatterMeanFunction(): FunctionBuilder {
  const f = new FunctionBuilder([ValType.I32, ValType.I32, ValType.I32, ValType.F32, ValType.I32], []);
  const [tokens, count, source, scale, slots] = [0, 1, 2, 3, 4].map((i) => f.param(i)) as [Local, Local, Local, Local, Local];
  const s = loadSlotBlock(f, slots);
  const [t, end, row, slot, g, k, rowEnd, src] = [i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f)];
  const splat = f.local(ValType.V128);
  f.get(scale).simd(Simd.f32x4Splat).set(splat);
  f.get(tokens).set(t);
  f.get(tokens).get(count).i32(2).op(Op.i32Shl, Op.i32Add).set(end);
  forBytes(f, t, end, 4, () => {
    f.get(t).mem(Op.i32Load, 2).set(row);
    emitSlotRow(f, slots, s, row, slot, g, k, rowEnd);
    f.get(g).get(s.rowBytes).op(Op.i32Add).set(rowEnd);
    f.get(source).set(src);
    forBytes(f, g, rowEnd, 16, () => {
      f.get(g).get(g).v128Load().get(src).v128Load().get(splat).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).v128Store();
      f.get(src).i32(16).op(Op.i32Add).set(src);
    });
  });
  return f;
}

function scatterMaxFunction(): FunctionBuilder {
  const f = new FunctionBuilder([ValType.I32, ValType.I32, ValType.I32, ValType.I32], []);
  const [arg, source, stride, slots] = [0, 1, 2, 3].map((i) => f.param(i)) as [Local, Local, Local, Local];
  const s = loadSlotBlock(f, slots);
  const [d, row, slot, g, k, rowEnd, at] = [i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f)];
  forCount(f, d, stride, () => {
    f.get(d).i32(2).op(Op.i32Shl).set(at);
    f.get(arg).get(at).op(Op.i32Add).mem(Op.i32Load, 2).set(row);
    emitSlotRow(f, slots, s, row, slot, g, k, rowEnd);
    f.get(g).get(at).op(Op.i32Add).set(g);
    f.get(g).get(g).mem(Op.f32Load, 2).get(source).get(at).op(Op.i32Add).mem(Op.f32Load, 2).op(Op.f32Add).mem(Op.f32Store, 2);
  });
  return f;
}

function adamRowsFunction(): FunctionBuilder {
  const f = new FunctionBuilder([ValType.I32, ValType.I32, ValType.F32, ValType.F32, ValType.F32, ValType.F32, ValType.F32, ValType.F32], []);
  const [slots, stateBlock, lr, beta1, beta2, epsilon, decay, clip] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => f.param(i)) as [Local, Local, Local, Local, Local, Local, Local, Local];
  const s = loadSlotBlock(f, slots);
  const embeddings = loadField(f, slots, SlotBlock.embeddings);
  const count = loadField(f, slots, SlotBlock.count);
  const stateOf = loadField(f, stateBlock, StateBlock.stateOf);
  const m = loadField(f, stateBlock, StateBlock.m);
  const v = loadField(f, stateBlock, StateBlock.v);
  const steps = loadField(f, stateBlock, StateBlock.steps);
  const corrections = loadField(f, stateBlock, StateBlock.corrections);
  const size = loadField(f, stateBlock, StateBlock.size);
  const [slot, row, state, step, p, pm, pv, g, gEnd, at] = [i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f)];
  const v128 = (): Local => f.local(ValType.V128);
  const [b1, b2, c1, c2, eps, dec, clp, stepSize, correction, gv, mv, vv] = [v128(), v128(), v128(), v128(), v128(), v128(), v128(), v128(), v128(), v128(), v128(), v128()];
  f.get(beta1).simd(Simd.f32x4Splat).set(b1);
  f.get(beta2).simd(Simd.f32x4Splat).set(b2);
  f.f32(1).get(beta1).op(Op.f32Sub).simd(Simd.f32x4Splat).set(c1);
  f.f32(1).get(beta2).op(Op.f32Sub).simd(Simd.f32x4Splat).set(c2);
  f.get(epsilon).simd(Simd.f32x4Splat).set(eps);
  f.get(decay).simd(Simd.f32x4Splat).set(dec);
  f.get(clip).simd(Simd.f32x4Splat).set(clp);
  forCount(f, slot, count, () => {
    f.get(s.slotRows).get(slot).i32(2).op(Op.i32Shl, Op.i32Add).mem(Op.i32Load, 2).set(row);
    f.get(stateOf).get(row).i32(2).op(Op.i32Shl, Op.i32Add).mem(Op.i32Load, 2).set(state);
    f.get(state).i32(0).op(Op.i32LtS).brIf(0); // a row that never trains
    // step = ++steps[state]; the table index min(step, size − 1)
    f.get(steps).get(state).i32(2).op(Op.i32Shl, Op.i32Add).set(at);
    f.get(at).mem(Op.i32Load, 2).i32(1).op(Op.i32Add).set(step);
    f.get(at).get(step).mem(Op.i32Store, 2);
    f.get(step).get(size).op(Op.i32GeS);
    f.if(() => f.get(size).i32(1).op(Op.i32Sub).set(step));
    f.get(corrections).get(step).i32(3).op(Op.i32Shl, Op.i32Add).set(at);
    f.get(lr).get(at).mem(Op.f32Load, 2).op(Op.f32Mul).simd(Simd.f32x4Splat).set(stepSize);
    f.get(at).mem(Op.f32Load, 2, 4).simd(Simd.f32x4Splat).set(correction);
    rowAddress(f, embeddings, row, s.rowBytes);
    f.set(p);
    rowAddress(f, m, state, s.rowBytes);
    f.set(pm);
    rowAddress(f, v, state, s.rowBytes);
    f.set(pv);
    rowAddress(f, s.gradient, slot, s.rowBytes);
    f.tee(g).get(s.rowBytes).op(Op.i32Add).set(gEnd);
    forBytes(f, g, gEnd, 16, () => {
      f.get(g).v128Load().get(clp).simd(Simd.f32x4Mul).set(gv);
      // m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²
      f.get(b1).get(pm).v128Load().simd(Simd.f32x4Mul).get(c1).get(gv).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(mv);
      f.get(b2).get(pv).v128Load().simd(Simd.f32x4Mul).get(c2).get(gv).get(gv).simd(Simd.f32x4Mul).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(vv);
      f.get(pm).get(mv).v128Store();
      f.get(pv).get(vv).v128Store();
      // p = p·decay − stepSize·m / (√v / correction + ε)
      f.get(p);
      f.get(p).v128Load().get(dec).simd(Simd.f32x4Mul);
      f.get(stepSize).get(mv).simd(Simd.f32x4Mul);
      f.get(vv).simd(Simd.f32x4Sqrt).get(correction).simd(Simd.f32x4Div).get(eps).simd(Simd.f32x4Add);
      f.simd(Simd.f32x4Div).simd(Simd.f32x4Sub).v128Store();
      for (const pointer of [p, pm, pv]) f.get(pointer).i32(16).op(Op.i32Add).set(pointer);
    });
  });
  return f;
}

function sgdRowsFunction(): FunctionBuilder {
  const f = new FunctionBuilder([ValType.I32, ValType.F32], []);
  const [slots, lr] = [f.param(0), f.param(1)];
  const s = loadSlotBlock(f, slots);
  const embeddings = loadField(f, slots, SlotBlock.embeddings);
  const count = loadField(f, slots, SlotBlock.count);
  const [slot, row, p, g, gEnd] = [i32Local(f), i32Local(f), i32Local(f), i32Local(f), i32Local(f)];
  const rate = f.local(ValType.V128);
  f.get(lr).simd(Simd.f32x4Splat).set(rate);
  forCount(f, slot, count, () => {
    f.get(s.slotRows).get(slot).i32(2).op(Op.i32Shl, Op.i32Add).mem(Op.i32Load, 2).set(row);
    rowAddress(f, embeddings, row, s.rowBytes);
    f.set(p);
    rowAddress(f, s.gradient, slot, s.rowBytes);
    f.tee(g).get(s.rowBytes).op(Op.i32Add).set(gEnd);
    forBytes(f, g, gEnd, 16, () => {
      f.get(p).get(p).v128Load().get(rate).get(g).v128Load().simd(Simd.f32x4Mul).simd(Simd.f32x4Sub).v128Store();
      f.get(p).i32(16).op(Op.i32Add).set(p);
    });
  });
  return f;
}

function sumSquaresFunction(): FunctionBuilder {
  const f = new FunctionBuilder([ValType.I32, ValType.I32], [ValType.F64]);
  const [at, count] = [f.param(0), f.param(1)];
  const end = i32Local(f);
  const [acc, x] = [f.local(ValType.V128), f.local(ValType.V128)];
  f.v128Zero().set(acc);
  f.get(at).get(count).i32(2).op(Op.i32Shl, Op.i32Add).set(end);
  forBytes(f, at, end, 16, () => {
    f.get(at).v128Load().tee(x).get(x).simd(Simd.f32x4Mul).get(acc).simd(Simd.f32x4Add).set(acc);
  });
  for (let lane = 0; lane < 4; lane++) {
    f.get(acc).simd(Simd.f32x4ExtractLane, lane).op(F64_PROMOTE_F32);
    if (lane > 0) f.op(Op.f64Add);
  }
  return f;
}

function releaseSlotsFunction(): FunctionBuilder {
  const f = new FunctionBuilder([ValType.I32], []);
  const slots = f.param(0);
  const s = loadSlotBlock(f, slots);
  const count = loadField(f, slots, SlotBlock.count);
  const slot = i32Local(f);
  forCount(f, slot, count, () => {
    f.get(s.slotOf).get(s.slotRows).get(slot).i32(2).op(Op.i32Shl, Op.i32Add).mem(Op.i32Load, 2).i32(2).op(Op.i32Shl, Op.i32Add).i32(-1).mem(Op.i32Store, 2);
  });
  f.get(slots).i32(0).mem(Op.i32Store, 2, SlotBlock.count);
  return f;
}

let cached: WasmModule | undefined;

/** The compiled module; it imports `env.memory`, a shared memory of up to 4 GiB. */
export function simdKernelModule(): WasmModule {
  cached ??= new webAssembly.Module(
    encodeModule({ minimum: 1, maximum: 65536 }, [
      { name: 'poolMean', builder: poolMeanFunction() },
      { name: 'poolMax', builder: poolMaxFunction() },
      { name: 'scatterMean', builder: scatterMeanFunction() },
      { name: 'scatterMax', builder: scatterMaxFunction() },
      { name: 'adamRows', builder: adamRowsFunction() },
      { name: 'sgdRows', builder: sgdRowsFunction() },
      { name: 'sumSquares', builder: sumSquaresFunction() },
      { name: 'releaseSlots', builder: releaseSlotsFunction() },
    ]),
  );
  return cached;
}

export function instantiateSimdKernels(memory: WasmMemory): SimdKernels {
  return new webAssembly.Instance(simdKernelModule(), { env: { memory } }).exports as unknown as SimdKernels;
}

