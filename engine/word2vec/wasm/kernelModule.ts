// The word2vec training kernels as WebAssembly with 128-bit SIMD: subsampling, skip-gram and CBOW with
// negative sampling over one sentence of word ids. All threads share one WebAssembly.Memory (Hogwild:
// lock-free updates of the shared matrices). The profile of the plain TypeScript kernels spent ~90% of
// the time in the dim-long dot products and axpy updates; here they run 4 lanes at a time.
import { encodeModule, FunctionBuilder, Op, SimdOp, ValType, type Local } from './wasmEncoder';
import { webAssembly, type WasmMemory, type WasmModule } from './webAssemblyApi';

/**
 * Byte offsets in a thread's kernel configuration block (KERNEL_CONFIG_BYTES long, 8-aligned). Every
 * pointer is a byte address in the shared memory. The kernel reads the settings and writes back the
 * random state and the running loss/prediction totals.
 */
export const KernelConfig = {
  /** f32 rows: input vectors (vocabulary × dim) */
  input: 0,
  /** f32 rows: output vectors of negative sampling */
  output: 4,
  dim: 8,
  window: 12,
  negative: 16,
  /** i32 unigram^0.75 table and its length */
  table: 20,
  tableSize: 24,
  /** f32 σ at the left edge of EXP_TABLE_SIZE bins over [-6, 6), plus σ(6): 1001 entries */
  sigmoid: 28,
  /** f64 −log σ(x) at 1001 points over [-6, 6], for the loss */
  lossTable: 32,
  /** f32 scratch of dim floats (16-byte aligned): the input gradient */
  gradient: 36,
  /** i32 scratch of `negative` ids: the negatives shared by one centre word's contexts */
  negatives: 40,
  /** f32 keep probability per word (subsampling) */
  keep: 44,
  /** i32 flag: 1 = draw one set of negatives per centre word and share it across its contexts */
  shareNegatives: 48,
  /** f32 scratch of dim floats (16-byte aligned): CBOW's hidden layer */
  hidden: 52,
  /** u64 state of the linear congruential generator (word2vec.c's: next = next × 25214903917 + 11) */
  random: 56,
  /** f64 running sum of the negative-sampling loss */
  loss: 64,
  /** f64 running count of predictions (positive pairs) */
  predictions: 72,
} as const;
export const KERNEL_CONFIG_BYTES = 80;

const MAX_EXP = 6;
const EXP_TABLE_SIZE = 1000;
const LCG_MULTIPLIER = 25214903917n;

/** The exported functions, typed. */
export interface KernelExports {
  /** Drops words by their keep probability, in place; returns the new length. */
  subsample: (config: number, sentence: number, length: number) => number;
  skipgram: (config: number, sentence: number, length: number, alpha: number) => void;
  cbow: (config: number, sentence: number, length: number, alpha: number) => void;
}

/** Locals every kernel function shares, loaded from the config block once per sentence. */
interface Settings {
  input: Local;
  output: Local;
  dim: Local;
  window: Local;
  negative: Local;
  table: Local;
  tableSize: Local;
  sigmoid: Local;
  lossTable: Local;
  gradient: Local;
  negatives: Local;
  hidden: Local;
  shareNegatives: Local;
  /** dim × 4 and (dim rounded down to 4) × 4: row bytes and the SIMD part of a row */
  rowBytes: Local;
  simdBytes: Local;
  random: Local;
  loss: Local;
  predictions: Local;
  // scratch
  pa: Local;
  pb: Local;
  pc: Local;
  end: Local;
  acc: Local;
  acc2: Local;
  splat: Local;
  value: Local;
  dot: Local;
  g: Local;
  x: Local;
  p: Local;
  k: Local;
}

function loadSettings(f: FunctionBuilder, config: Local): Settings {
  const i32 = (offset: number): Local => {
    const local = f.local(ValType.I32);
    f.get(config).mem(Op.i32Load, 2, offset).set(local);
    return local;
  };
  const s: Settings = {
    input: i32(KernelConfig.input),
    output: i32(KernelConfig.output),
    dim: i32(KernelConfig.dim),
    window: i32(KernelConfig.window),
    negative: i32(KernelConfig.negative),
    table: i32(KernelConfig.table),
    tableSize: i32(KernelConfig.tableSize),
    sigmoid: i32(KernelConfig.sigmoid),
    lossTable: i32(KernelConfig.lossTable),
    gradient: i32(KernelConfig.gradient),
    negatives: i32(KernelConfig.negatives),
    hidden: i32(KernelConfig.hidden),
    shareNegatives: i32(KernelConfig.shareNegatives),
    rowBytes: f.local(ValType.I32),
    simdBytes: f.local(ValType.I32),
    random: f.local(ValType.I64),
    loss: f.local(ValType.F64),
    predictions: f.local(ValType.I32),
    pa: f.local(ValType.I32),
    pb: f.local(ValType.I32),
    pc: f.local(ValType.I32),
    end: f.local(ValType.I32),
    acc: f.local(ValType.V128),
    acc2: f.local(ValType.V128),
    splat: f.local(ValType.V128),
    value: f.local(ValType.V128),
    dot: f.local(ValType.F32),
    g: f.local(ValType.F32),
    x: f.local(ValType.F64),
    p: f.local(ValType.F64),
    k: f.local(ValType.I32),
  };
  f.get(s.dim).i32(2).op(Op.i32Shl).set(s.rowBytes);
  f.get(s.dim).i32(~3).op(Op.i32And).i32(2).op(Op.i32Shl).set(s.simdBytes);
  f.get(config).mem(Op.i64Load, 3, KernelConfig.random).set(s.random);
  f.f64(0).set(s.loss);
  f.i32(0).set(s.predictions);
  return s;
}

function storeTotals(f: FunctionBuilder, config: Local, s: Settings): void {
  f.get(config).get(s.random).mem(Op.i64Store, 3, KernelConfig.random);
  f.get(config).get(config).mem(Op.f64Load, 3, KernelConfig.loss).get(s.loss).op(Op.f64Add).mem(Op.f64Store, 3, KernelConfig.loss);
  f.get(config)
    .get(config)
    .mem(Op.f64Load, 3, KernelConfig.predictions)
    .get(s.predictions)
    .op(Op.f64ConvertI32S, Op.f64Add)
    .mem(Op.f64Store, 3, KernelConfig.predictions);
}

/** random = random × 25214903917 + 11 (mod 2^64). */
function stepRandom(f: FunctionBuilder, random: Local): void {
  f.get(random).i64(LCG_MULTIPLIER).op(Op.i64Mul).i64(11n).op(Op.i64Add).set(random);
}

/** Pushes an i32 uniform in [0, bound) from the generator's high 32 bits (a multiply, no division). */
function randomBelow(f: FunctionBuilder, random: Local, bound: () => void): void {
  f.get(random).i64(32n).op(Op.i64ShrU);
  bound();
  f.op(Op.i64ExtendI32U, Op.i64Mul).i64(32n).op(Op.i64ShrU, Op.i32WrapI64);
}

/** `for (counter = from; counter < to; counter += step) body()`, with `continue` as `br 0` inside body's block. */
function forRange(f: FunctionBuilder, counter: Local, to: Local, step: number, body: () => void): void {
  f.block(() =>
    f.loop(() => {
      f.get(counter).get(to).op(Op.i32GeS).brIf(1);
      f.block(body);
      f.get(counter).i32(step).op(Op.i32Add).set(counter).br(0);
    }),
  );
}

const UNROLL = 4;

/**
 * Walks a row: SIMD blocks of UNROLL vectors (`simd(offset, k)` for k = 0…UNROLL−1, offset = 16·k bytes
 * as the load/store immediate, so one pointer bump per block), then single vectors, then the scalar tail
 * when dim is not a multiple of 4. `pa` and the `advance` pointers move together.
 */
function forRowLanes(f: FunctionBuilder, s: Settings, simd: (offset: number, k: number) => void, scalar: () => void, advance: Local[]): void {
  const moveBy = (bytes: number): void => {
    for (const local of [s.pa, ...advance]) f.get(local).i32(bytes).op(Op.i32Add).set(local);
  };
  const walk = (step: number, body: () => void): void =>
    void f.block(() =>
      f.loop(() => {
        f.get(s.pa).get(s.end).op(Op.i32GeU).brIf(1);
        body();
        moveBy(step);
        f.br(0);
      }),
    );
  const blockBytes = 16 * UNROLL;
  f.get(s.pa).get(s.simdBytes).i32(-blockBytes).op(Op.i32And, Op.i32Add).set(s.end);
  walk(blockBytes, () => {
    for (let k = 0; k < UNROLL; k++) simd(16 * k, k);
  });
  f.get(s.pa).get(s.simdBytes).i32(blockBytes - 1).op(Op.i32And, Op.i32Add).set(s.end);
  walk(16, () => simd(0, 0));
  f.get(s.pa).get(s.rowBytes).get(s.simdBytes).op(Op.i32Sub, Op.i32Add).set(s.end);
  walk(4, scalar);
}

/** acc = the SIMD part of row(a) · row(b) (4 partial sums); the scalar tail is added into `dot`. */
function emitDot(f: FunctionBuilder, s: Settings, a: Local, b: Local): void {
  f.get(a).set(s.pa).get(b).set(s.pb).v128Zero().set(s.acc).v128Zero().set(s.acc2);
  forRowLanes(
    f,
    s,
    (offset, k) => {
      // two accumulators halve the add dependency chain
      const acc = k % 2 === 0 ? s.acc : s.acc2;
      f.get(acc).get(s.pa).v128Load(offset).get(s.pb).v128Load(offset).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add).set(acc);
    },
    () => {
      f.get(s.dot).get(s.pa).mem(Op.f32Load, 2).get(s.pb).mem(Op.f32Load, 2).op(Op.f32Mul, Op.f32Add).set(s.dot);
    },
    [s.pb],
  );
  f.get(s.acc).get(s.acc2).simd(SimdOp.f32x4Add).set(s.acc);
}

/**
 * gradient += g · row(out); row(out) += g · row(in) — one pass, reading each output float once (the
 * gradient uses the output row before its update, as word2vec.c does).
 */
function emitPairUpdate(f: FunctionBuilder, s: Settings, inRow: Local, outRow: Local): void {
  f.get(s.g).simd(SimdOp.f32x4Splat).set(s.splat);
  f.get(inRow).set(s.pa).get(outRow).set(s.pb).get(s.gradient).set(s.pc);
  forRowLanes(
    f,
    s,
    (o) => {
      f.get(s.pb).v128Load(o).set(s.value);
      f.get(s.pc).get(s.pc).v128Load(o).get(s.splat).get(s.value).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add).v128Store(o);
      f.get(s.pb).get(s.value).get(s.splat).get(s.pa).v128Load(o).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add).v128Store(o);
    },
    () => {
      f.get(s.pb).mem(Op.f32Load, 2).set(s.dot); // dot is free here; reuse it as the scalar temporary
      f.get(s.pc).get(s.pc).mem(Op.f32Load, 2).get(s.g).get(s.dot).op(Op.f32Mul, Op.f32Add).mem(Op.f32Store, 2);
      f.get(s.pb).get(s.dot).get(s.g).get(s.pa).mem(Op.f32Load, 2).op(Op.f32Mul, Op.f32Add).mem(Op.f32Store, 2);
    },
    [s.pb, s.pc],
  );
}

/** row(dst) += row(src) */
function emitAddRow(f: FunctionBuilder, s: Settings, dst: Local, src: Local): void {
  f.get(dst).set(s.pa).get(src).set(s.pb);
  forRowLanes(
    f,
    s,
    (o) => f.get(s.pa).get(s.pa).v128Load(o).get(s.pb).v128Load(o).simd(SimdOp.f32x4Add).v128Store(o),
    () => f.get(s.pa).get(s.pa).mem(Op.f32Load, 2).get(s.pb).mem(Op.f32Load, 2).op(Op.f32Add).mem(Op.f32Store, 2),
    [s.pb],
  );
}

function emitScaleRow(f: FunctionBuilder, s: Settings, row: Local, scale: Local): void {
  f.get(scale).simd(SimdOp.f32x4Splat).set(s.splat);
  f.get(row).set(s.pa);
  forRowLanes(
    f,
    s,
    (o) => f.get(s.pa).get(s.pa).v128Load(o).get(s.splat).simd(SimdOp.f32x4Mul).v128Store(o),
    () => f.get(s.pa).get(s.pa).mem(Op.f32Load, 2).get(scale).op(Op.f32Mul).mem(Op.f32Store, 2),
    [],
  );
}

function emitZeroRow(f: FunctionBuilder, s: Settings, row: Local): void {
  f.get(row).set(s.pa);
  forRowLanes(
    f,
    s,
    (o) => f.get(s.pa).v128Zero().v128Store(o),
    () => f.get(s.pa).f32(0).mem(Op.f32Store, 2),
    [],
  );
}

/** The dot product of two rows into `s.dot`: SIMD lanes, summed, plus the scalar tail. */
function emitRowDot(f: FunctionBuilder, s: Settings, a: Local, b: Local): void {
  f.f32(0).set(s.dot);
  emitDot(f, s, a, b);
  const lane = (index: number): void => {
    f.get(s.acc).simd(SimdOp.f32x4ExtractLane, index);
  };
  lane(0);
  lane(1);
  f.op(Op.f32Add);
  lane(2);
  lane(3);
  f.op(Op.f32Add, Op.f32Add);
  f.get(s.dot).op(Op.f32Add).set(s.dot);
}

/**
 * One prediction: score = row(hiddenRow) · row(output[target]); g = (label − σ(score)) × alpha with
 * word2vec.c's clipping at ±6; the loss −log σ(±score) accumulates in float64; then the pair update.
 */
function emitPrediction(f: FunctionBuilder, s: Settings, inRow: Local, target: Local, label: 0 | 1, alpha: Local, outRow: Local): void {
  f.get(s.output).get(target).get(s.rowBytes).op(Op.i32Mul, Op.i32Add).set(outRow);
  emitRowDot(f, s, inRow, outRow);
  // g
  f.get(s.dot).f32(MAX_EXP).op(Op.f32Gt);
  f.if(
    () => f.f32(label - 1).get(alpha).op(Op.f32Mul).set(s.g),
    () => {
      f.get(s.dot).f32(-MAX_EXP).op(Op.f32Lt);
      f.if(
        () => f.f32(label).get(alpha).op(Op.f32Mul).set(s.g),
        () => {
          f.f32(label);
          f.get(s.sigmoid).get(s.dot).f32(MAX_EXP).op(Op.f32Add).f32(EXP_TABLE_SIZE / MAX_EXP / 2).op(Op.f32Mul, Op.i32TruncF32S).i32(2).op(Op.i32Shl, Op.i32Add).mem(Op.f32Load, 2);
          f.op(Op.f32Sub).get(alpha).op(Op.f32Mul).set(s.g);
        },
      );
    },
  );
  // loss of this prediction at x = ±score: table interpolation inside (-6, 6), its limits outside
  f.get(s.dot).op(Op.f64PromoteF32);
  if (label === 0) f.f64(-1).op(Op.f64Mul);
  f.set(s.x);
  f.get(s.x).f64(MAX_EXP).op(Op.f64Add).f64(EXP_TABLE_SIZE / MAX_EXP / 2).op(Op.f64Mul).set(s.p);
  f.get(s.p).f64(0).op(0x65 /* f64.le */);
  f.if(
    // x ≤ -6: −log σ(x) = −x + log(1 + e^x), within 0.0025 of −x
    () => f.get(s.loss).get(s.x).op(Op.f64Sub).set(s.loss),
    () => {
      f.get(s.p).f64(EXP_TABLE_SIZE).op(0x66 /* f64.ge */);
      f.if(
        () => f.get(s.loss).get(s.lossTable).mem(Op.f64Load, 3, EXP_TABLE_SIZE * 8).op(Op.f64Add).set(s.loss),
        () => {
          f.get(s.p).op(Op.i32TruncF64S).set(s.k);
          f.get(s.lossTable).get(s.k).i32(3).op(Op.i32Shl, Op.i32Add).set(s.pa);
          f.get(s.loss).get(s.pa).mem(Op.f64Load, 3).op(Op.f64Add);
          f.get(s.pa).mem(Op.f64Load, 3, 8).get(s.pa).mem(Op.f64Load, 3).op(Op.f64Sub);
          f.get(s.p).get(s.k).op(Op.f64ConvertI32S, Op.f64Sub, Op.f64Mul, Op.f64Add).set(s.loss);
        },
      );
    },
  );
  // g = 0 (a clipped positive or negative) changes nothing: skip the row pass
  f.get(s.g).f32(0).op(0x5c /* f32.ne */);
  f.if(() => emitPairUpdate(f, s, inRow, outRow));
}

/** Pushes the address of sentence[index]. */
function sentenceSlot(f: FunctionBuilder, sentence: Local, index: Local): void {
  f.get(sentence).get(index).i32(2).op(Op.i32Shl, Op.i32Add);
}

/** from/to of the reduced window around `position` (word2vec.c: b uniform in [0, window)). */
function emitWindow(f: FunctionBuilder, s: Settings, position: Local, length: Local, from: Local, to: Local, reduced: Local): void {
  stepRandom(f, s.random);
  randomBelow(f, s.random, () => f.get(s.window));
  f.set(reduced);
  f.get(position).get(s.window).op(Op.i32Sub).get(reduced).op(Op.i32Add).set(from);
  f.get(from).i32(0).op(Op.i32LtS);
  f.if(() => f.i32(0).set(from));
  f.get(position).get(s.window).op(Op.i32Add).i32(1).op(Op.i32Add).get(reduced).op(Op.i32Sub).set(to);
  f.get(to).get(length).op(Op.i32GtS);
  f.if(() => f.get(length).set(to));
}

/** Pushes a draw from the unigram table. */
function drawNegative(f: FunctionBuilder, s: Settings): void {
  stepRandom(f, s.random);
  f.get(s.table);
  randomBelow(f, s.random, () => f.get(s.tableSize));
  f.i32(2).op(Op.i32Shl, Op.i32Add).mem(Op.i32Load, 2);
}

/** Negatives for one centre word into the scratch list (draws equal to the centre word are dropped, as word2vec.c skips them); sets `count`. */
function emitDrawNegatives(f: FunctionBuilder, s: Settings, word: Local, count: Local, d: Local, target: Local): void {
  f.i32(0).set(count).i32(0).set(d);
  forRange(f, d, s.negative, 1, () => {
    drawNegative(f, s);
    f.tee(target).get(word).op(Op.i32Eq).brIf(0);
    f.get(s.negatives).get(count).i32(2).op(Op.i32Shl, Op.i32Add).get(target).mem(Op.i32Store, 2);
    f.get(count).i32(1).op(Op.i32Add).set(count);
  });
}

/** The positive and negative predictions of one input row (a context word's vector, or CBOW's hidden layer). */
function emitPredictions(f: FunctionBuilder, s: Settings, inRow: Local, word: Local, alpha: Local, shared: { count: Local; d: Local; target: Local; outRow: Local }, perPairDraws: boolean): void {
  const { count, d, target, outRow } = shared;
  emitPrediction(f, s, inRow, word, 1, alpha, outRow);
  const useList = (): void => {
    f.i32(0).set(d);
    forRange(f, d, count, 1, () => {
      f.get(s.negatives).get(d).i32(2).op(Op.i32Shl, Op.i32Add).mem(Op.i32Load, 2).set(target);
      emitPrediction(f, s, inRow, target, 0, alpha, outRow);
    });
  };
  if (!perPairDraws) {
    useList();
    return;
  }
  f.get(s.shareNegatives);
  f.if(useList, () => {
    f.i32(0).set(d);
    forRange(f, d, s.negative, 1, () => {
      drawNegative(f, s);
      f.tee(target).get(word).op(Op.i32Eq).brIf(0);
      emitPrediction(f, s, inRow, target, 0, alpha, outRow);
    });
  });
}

/** For each context slot c in [from, to) other than `position`: inRow = the address of its input row; then `body`. */
function emitForContexts(
  f: FunctionBuilder,
  s: Settings,
  { sentence, position, from, to, c, inRow }: { sentence: Local; position: Local; from: Local; to: Local; c: Local; inRow: Local },
  body: () => void,
): void {
  f.get(from).set(c);
  forRange(f, c, to, 1, () => {
    f.get(c).get(position).op(Op.i32Eq).brIf(0);
    f.get(s.input);
    sentenceSlot(f, sentence, c);
    f.mem(Op.i32Load, 2).get(s.rowBytes).op(Op.i32Mul, Op.i32Add).set(inRow);
    body();
  });
}

function skipgramFunction(): FunctionBuilder {
  const f = new FunctionBuilder([ValType.I32, ValType.I32, ValType.I32, ValType.F32], []);
  const [config, sentence, length, alpha] = [f.param(0), f.param(1), f.param(2), f.param(3)];
  const s = loadSettings(f, config);
  const i32 = (): Local => f.local(ValType.I32);
  const [position, word, from, to, c, reduced, inRow, count, d, target, outRow] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  f.i32(0).set(position);
  forRange(f, position, length, 1, () => {
    sentenceSlot(f, sentence, position);
    f.mem(Op.i32Load, 2).set(word);
    emitWindow(f, s, position, length, from, to, reduced);
    f.get(s.shareNegatives);
    f.if(() => emitDrawNegatives(f, s, word, count, d, target));
    emitForContexts(f, s, { sentence, position, from, to, c, inRow }, () => {
      emitZeroRow(f, s, s.gradient);
      emitPredictions(f, s, inRow, word, alpha, { count: count, d: d, target: target, outRow: outRow }, true);
      emitAddRow(f, s, inRow, s.gradient);
      f.get(s.predictions).i32(1).op(Op.i32Add).set(s.predictions);
    });
  });
  storeTotals(f, config, s);
  return f;
}

function cbowFunction(): FunctionBuilder {
  const f = new FunctionBuilder([ValType.I32, ValType.I32, ValType.I32, ValType.F32], []);
  const [config, sentence, length, alpha] = [f.param(0), f.param(1), f.param(2), f.param(3)];
  const s = loadSettings(f, config);
  const i32 = (): Local => f.local(ValType.I32);
  const [position, word, from, to, c, reduced, inRow, count, d, target, outRow, contextWords] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const scale = f.local(ValType.F32);
  const forContexts = (body: () => void): void => emitForContexts(f, s, { sentence, position, from, to, c, inRow }, body);
  f.i32(0).set(position);
  forRange(f, position, length, 1, () => {
    sentenceSlot(f, sentence, position);
    f.mem(Op.i32Load, 2).set(word);
    emitWindow(f, s, position, length, from, to, reduced);
    emitZeroRow(f, s, s.hidden);
    f.i32(0).set(contextWords);
    forContexts(() => {
      emitAddRow(f, s, s.hidden, inRow);
      f.get(contextWords).i32(1).op(Op.i32Add).set(contextWords);
    });
    f.get(contextWords).op(Op.i32Eqz).brIf(0);
    // cbow_mean = 1: the hidden layer is the mean of the context vectors
    f.f32(1).get(contextWords).op(Op.f32ConvertI32S).op(0x95 /* f32.div */).set(scale);
    emitScaleRow(f, s, s.hidden, scale);
    emitZeroRow(f, s, s.gradient);
    emitDrawNegatives(f, s, word, count, d, target);
    emitPredictions(f, s, s.hidden, word, alpha, { count: count, d: d, target: target, outRow: outRow }, false);
    forContexts(() => emitAddRow(f, s, inRow, s.gradient));
    f.get(s.predictions).i32(1).op(Op.i32Add).set(s.predictions);
  });
  storeTotals(f, config, s);
  return f;
}

function subsampleFunction(): FunctionBuilder {
  const f = new FunctionBuilder([ValType.I32, ValType.I32, ValType.I32], [ValType.I32]);
  const [config, sentence, length] = [f.param(0), f.param(1), f.param(2)];
  const keep = f.local(ValType.I32);
  const random = f.local(ValType.I64);
  const [i, kept, word] = [f.local(ValType.I32), f.local(ValType.I32), f.local(ValType.I32)];
  const probability = f.local(ValType.F32);
  f.get(config).mem(Op.i32Load, 2, KernelConfig.keep).set(keep);
  f.get(config).mem(Op.i64Load, 3, KernelConfig.random).set(random);
  f.i32(0).set(i).i32(0).set(kept);
  forRange(f, i, length, 1, () => {
    sentenceSlot(f, sentence, i);
    f.mem(Op.i32Load, 2).set(word);
    f.get(keep).get(word).i32(2).op(Op.i32Shl, Op.i32Add).mem(Op.f32Load, 2).set(probability);
    f.get(probability).f32(1).op(Op.f32Lt);
    f.if(() => {
      stepRandom(f, random);
      // u uniform in [0, 1) from the top 24 bits; keep the word when u < keep
      f.get(random).i64(40n).op(Op.i64ShrU, Op.f32ConvertI64U).f32(1 / 16777216).op(Op.f32Mul).get(probability).op(Op.f32Ge).brIf(1);
    });
    sentenceSlot(f, sentence, kept);
    f.get(word).mem(Op.i32Store, 2);
    f.get(kept).i32(1).op(Op.i32Add).set(kept);
  });
  f.get(config).get(random).mem(Op.i64Store, 3, KernelConfig.random);
  f.get(kept);
  return f;
}

let cached: WasmModule | undefined;

/** The compiled kernel module; it imports `env.memory`, a shared memory of up to 4 GiB. */
export function kernelModule(): WasmModule {
  cached ??= new webAssembly.Module(
    encodeModule({ minimum: 1, maximum: 65536 }, [
      { name: 'subsample', builder: subsampleFunction() },
      { name: 'skipgram', builder: skipgramFunction() },
      { name: 'cbow', builder: cbowFunction() },
    ]),
  );
  return cached;
}

export function instantiateKernels(memory: WasmMemory, module: WasmModule = kernelModule()): KernelExports {
  const instance = new webAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
