// A tiny WebAssembly binary encoder for kernels emitted from TypeScript at run time (one imported
// shared memory, functions over i32/i64/f32/f64/v128, structured control flow). The word2vec kernels are
// WebAssembly text now (word2vecKernels.wat, assembled by wabt at build time: scripts/assemble-wat.mjs).

export const ValType = { I32: 0x7f, I64: 0x7e, F32: 0x7d, F64: 0x7c, V128: 0x7b } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** Opcodes used by the kernels (single byte, or after the 0xfd SIMD prefix). */
export const Op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  f32Load: 0x2a,
  f64Load: 0x2b,
  i32Store: 0x36,
  i64Store: 0x37,
  f32Store: 0x38,
  f64Store: 0x39,
  i32Const: 0x41,
  i64Const: 0x42,
  f32Const: 0x43,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  f32Lt: 0x5d,
  f32Gt: 0x5e,
  f32Le: 0x5f,
  f32Ge: 0x60,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  i64Add: 0x7c,
  i64Mul: 0x7e,
  i64ShrU: 0x88,
  f32Neg: 0x8c,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  i32WrapI64: 0xa7,
  i32TruncF64S: 0xaa,
  i32TruncF32S: 0xa8,
  i64ExtendI32U: 0xad,
  f32ConvertI32S: 0xb2,
  f32ConvertI64U: 0xb5,
  f64ConvertI32S: 0xb7,
  f64PromoteF32: 0xbb,
} as const;

export const SimdOp = {
  v128Load: 0x00,
  v128Store: 0x0b,
  v128Const: 0x0c,
  f32x4Splat: 0x13,
  f32x4ExtractLane: 0x1f,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
} as const;

const EMPTY_BLOCK = 0x40;

export function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

export function signedLeb(value: bigint): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    const done = (value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

function utf8Name(name: string): number[] {
  const bytes = [...Buffer.from(name, 'utf8')];
  return [...unsignedLeb(bytes.length), ...bytes];
}

/** A local variable of a function under construction (parameters first, as wasm numbers them). */
export type Local = number & { readonly __local: unique symbol };

/** Builds one function body instruction by instruction; `memarg` offsets are byte offsets. */
export class FunctionBuilder {
  readonly bytes: number[] = [];
  private readonly localTypes: ValType[] = [];

  constructor(
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
  ) {}

  param(index: number): Local {
    return index as Local;
  }

  local(type: ValType): Local {
    this.localTypes.push(type);
    return (this.params.length + this.localTypes.length - 1) as Local;
  }

  op(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }

  simd(opcode: number, ...immediates: number[]): this {
    return this.op(0xfd, ...unsignedLeb(opcode), ...immediates);
  }

  get(local: Local): this {
    return this.op(Op.localGet, ...unsignedLeb(local));
  }

  set(local: Local): this {
    return this.op(Op.localSet, ...unsignedLeb(local));
  }

  tee(local: Local): this {
    return this.op(Op.localTee, ...unsignedLeb(local));
  }

  i32(value: number): this {
    return this.op(Op.i32Const, ...signedLeb(BigInt(value | 0)));
  }

  i64(value: bigint): this {
    return this.op(Op.i64Const, ...signedLeb(BigInt.asIntN(64, value)));
  }

  f32(value: number): this {
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    return this.op(Op.f32Const, ...bytes);
  }

  f64(value: number): this {
    const bytes = new Uint8Array(new Float64Array([value]).buffer);
    return this.op(Op.f64Const, ...bytes);
  }

  /** A load or store with its alignment (log2 bytes) and constant byte offset. */
  mem(opcode: number, align: number, offset = 0): this {
    return this.op(opcode, ...unsignedLeb(align), ...unsignedLeb(offset));
  }

  v128Load(offset = 0): this {
    return this.simd(SimdOp.v128Load, ...unsignedLeb(4), ...unsignedLeb(offset));
  }

  v128Store(offset = 0): this {
    return this.simd(SimdOp.v128Store, ...unsignedLeb(4), ...unsignedLeb(offset));
  }

  v128Zero(): this {
    return this.simd(SimdOp.v128Const, ...new Array<number>(16).fill(0));
  }

  /** `block … end`; inside, `br 0` leaves the block. */
  block(body: () => void): this {
    this.op(Op.block, EMPTY_BLOCK);
    body();
    return this.op(Op.end);
  }

  /** `loop … end`; inside, `br 0` jumps back to the top. */
  loop(body: () => void): this {
    this.op(Op.loop, EMPTY_BLOCK);
    body();
    return this.op(Op.end);
  }

  /** Pops an i32 condition. */
  if(then: () => void, otherwise?: () => void): this {
    this.op(Op.if, EMPTY_BLOCK);
    then();
    if (otherwise) {
      this.op(Op.else);
      otherwise();
    }
    return this.op(Op.end);
  }

  br(depth: number): this {
    return this.op(Op.br, ...unsignedLeb(depth));
  }

  brIf(depth: number): this {
    return this.op(Op.brIf, ...unsignedLeb(depth));
  }

  /** The code-section entry: local declarations (run-length by type) then the body. */
  encodeBody(): number[] {
    const groups: [number, ValType][] = [];
    for (const type of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === type) last[0]++;
      else groups.push([1, type]);
    }
    const content = [...unsignedLeb(groups.length), ...groups.flatMap(([count, type]) => [...unsignedLeb(count), type]), ...this.bytes, Op.end];
    return [...unsignedLeb(content.length), ...content];
  }
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb(content.length), ...content];
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

/** A module that imports `env.memory` (shared, fixed size in 64 KiB pages) and exports the given functions. */
export function encodeModule(memoryPages: { minimum: number; maximum: number }, functions: { name: string; builder: FunctionBuilder }[]): Uint8Array {
  const types = functions.map(({ builder }) => [0x60, ...vector(builder.params.map((t) => [t])), ...vector(builder.results.map((t) => [t]))]);
  // Limits flag 0x03: a minimum, a maximum, shared.
  const memoryImport = [...utf8Name('env'), ...utf8Name('memory'), 0x02, 0x03, ...unsignedLeb(memoryPages.minimum), ...unsignedLeb(memoryPages.maximum)];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, index) => unsignedLeb(index)))),
    ...section(7, vector(functions.map(({ name }, index) => [...utf8Name(name), 0x00, ...unsignedLeb(index)]))),
    ...section(10, vector(functions.map(({ builder }) => builder.encodeBody()))),
  ];
  return Uint8Array.from(bytes);
}
