/**
 * A Python pickle reader for what `torch.save` writes of a state dict, which executes nothing.
 *
 * Written here rather than taken from npm: the one JavaScript pickle library (pickleparser 0.2)
 * calls whatever a REDUCE/NEWOBJ/BUILD opcode finds on the stack, copies attacker-chosen keys onto
 * objects in BUILD, builds DICT wrongly in its Map mode and reads LONG1 as unsigned. A state dict
 * needs a few dozen opcodes and a handful of globals, so this interpreter knows only those: a
 * GLOBAL outside `allowed` is refused by name before anything could use it, REDUCE only calls the
 * allow-listed functions given to it, and the opcodes that build arbitrary objects (INST, OBJ,
 * NEWOBJ, EXT*) are refused. Reference: CPython Lib/pickle.py and pickletools.py.
 */

/** A refused or malformed pickle; the message says which opcode or global, at which byte. */
export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

/** A Python tuple (a JavaScript array would not say it was one). */
export class PickleTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** An allow-listed global: a value (e.g. a storage type), or a function REDUCE may call with the pickled arguments. */
export type AllowedGlobal = { readonly value: unknown } | { readonly call: (args: readonly unknown[]) => unknown; readonly setState?: (target: unknown, state: unknown) => void };

export interface UnpickleOptions {
  /** Globals by `module.name`; any other is refused. */
  readonly allowed: Readonly<Record<string, AllowedGlobal>>;
  /** What the allow-list is for, in a refusal: "a PyTorch state dict". */
  readonly purpose: string;
  /** Resolves a BINPERSID id (torch's storages); absent: persistent ids are refused. */
  readonly persistentLoad?: (id: unknown) => unknown;
}

/** The value an allow-listed callable returned, remembered so BUILD can find who made it. */
interface Built {
  readonly made: AllowedGlobal;
}
const builtBy = new WeakMap<object, Built>();

class Machine {
  stack: unknown[] = [];
  readonly marks: unknown[][] = [];
  readonly memo = new Map<number, unknown>();
  position: number;
  done = false;
  result: unknown;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly options: UnpickleOptions,
  ) {
    this.position = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  take(count: number): Uint8Array {
    if (!Number.isSafeInteger(count) || count < 0 || this.position + count > this.bytes.length) {
      throw new PickleError(`the pickle is truncated: ${count} bytes needed at byte ${this.position} of ${this.bytes.length}`);
    }
    const slice = this.bytes.subarray(this.position, this.position + count);
    this.position += count;
    return slice;
  }
  u8(): number {
    return this.take(1)[0]!;
  }
  u16(): number {
    return this.view.getUint16(this.take(2).byteOffset - this.bytes.byteOffset, true);
  }
  i32(): number {
    return this.view.getInt32(this.take(4).byteOffset - this.bytes.byteOffset, true);
  }
  u32(): number {
    return this.view.getUint32(this.take(4).byteOffset - this.bytes.byteOffset, true);
  }
  u64(): number {
    const at = this.take(8).byteOffset - this.bytes.byteOffset;
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleError(`a length of ${value} bytes at byte ${at} is beyond any file`);
    return Number(value);
  }
  f64be(): number {
    return this.view.getFloat64(this.take(8).byteOffset - this.bytes.byteOffset, false);
  }
  text(count: number): string {
    try {
      return this.decoder.decode(this.take(count));
    } catch (error) {
      if (error instanceof PickleError) throw error;
      throw new PickleError(`a string at byte ${this.position - count} is not UTF-8`);
    }
  }
  line(): string {
    const end = this.bytes.indexOf(0x0a, this.position);
    if (end < 0) throw new PickleError(`the pickle is truncated: a line at byte ${this.position} has no end`);
    const text = new TextDecoder('latin1').decode(this.bytes.subarray(this.position, end));
    this.position = end + 1;
    return text;
  }
  push(value: unknown): void {
    this.stack.push(value);
  }
  pop(): unknown {
    if (this.stack.length === 0) throw new PickleError(`the pickle pops an empty stack at byte ${this.position - 1}`);
    return this.stack.pop();
  }
  top(): unknown {
    if (this.stack.length === 0) throw new PickleError(`the pickle reads an empty stack at byte ${this.position - 1}`);
    return this.stack[this.stack.length - 1];
  }
  mark(): void {
    this.marks.push(this.stack);
    this.stack = [];
  }
  /** The items pushed since the last MARK (which is removed). */
  popMark(): unknown[] {
    const items = this.stack;
    const previous = this.marks.pop();
    if (previous === undefined) throw new PickleError(`the pickle has no MARK for the opcode at byte ${this.position - 1}`);
    this.stack = previous;
    return items;
  }
  memoGet(index: number): unknown {
    if (!this.memo.has(index)) throw new PickleError(`the pickle reads memo ${index}, which it never stored`);
    return this.memo.get(index);
  }
  global(module: string, name: string): unknown {
    const qualified = `${module}.${name}`;
    if (!Object.hasOwn(this.options.allowed, qualified)) {
      const known = Object.keys(this.options.allowed).join(', ');
      throw new PickleError(`the pickle asks for the Python global ${qualified}, which ${this.options.purpose} never uses (allowed: ${known}); nothing was run`);
    }
    const allowed = this.options.allowed[qualified]!;
    return 'value' in allowed ? allowed.value : allowed;
  }
}

function dict(target: unknown, at: number): Map<unknown, unknown> {
  if (!(target instanceof Map)) throw new PickleError(`the pickle sets items on something that is not a dict at byte ${at}`);
  return target;
}

function setItems(machine: Machine, items: readonly unknown[]): void {
  const target = dict(machine.top(), machine.position - 1);
  for (let i = 0; i + 1 < items.length; i += 2) target.set(hashable(items[i]), items[i + 1]);
}

/** Dict keys as JavaScript compares them: strings and numbers; tuples of them as their JSON. */
function hashable(key: unknown): unknown {
  return key instanceof PickleTuple ? JSON.stringify(key.items) : key;
}

function refuse(what: string): (machine: Machine) => void {
  return (machine) => {
    throw new PickleError(`the pickle uses ${what} at byte ${machine.position - 1}, which a state dict never needs; nothing was run`);
  };
}

function long(bytes: Uint8Array): number | bigint {
  // Little-endian two's complement, as pickle's decode_long.
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  if (bytes.length > 0 && (bytes[bytes.length - 1]! & 0x80) !== 0) value -= 1n << BigInt(8 * bytes.length);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Every opcode this reader knows, by its byte. */
const OPCODES: Readonly<Record<number, (machine: Machine) => void>> = {
  0x80: (m) => {
    const protocol = m.u8(); // PROTO
    if (protocol > 5) throw new PickleError(`pickle protocol ${protocol} is newer than 5`);
  },
  0x95: (m) => void m.take(8), // FRAME: a length hint
  0x2e: (m) => {
    m.result = m.pop(); // STOP
    m.done = true;
  },
  0x28: (m) => m.mark(), // MARK
  0x30: (m) => void m.pop(), // POP
  0x31: (m) => void m.popMark(), // POP_MARK
  0x32: (m) => m.push(m.top()), // DUP
  0x4e: (m) => m.push(null), // NONE
  0x88: (m) => m.push(true), // NEWTRUE
  0x89: (m) => m.push(false), // NEWFALSE
  0x4a: (m) => m.push(m.i32()), // BININT
  0x4b: (m) => m.push(m.u8()), // BININT1
  0x4d: (m) => m.push(m.u16()), // BININT2
  0x8a: (m) => m.push(long(m.take(m.u8()))), // LONG1
  0x8b: (m) => m.push(long(m.take(m.i32()))), // LONG4
  0x49: (m) => {
    const text = m.line(); // INT (protocol 0)
    m.push(text === '00' ? false : text === '01' ? true : Number.parseInt(text, 10));
  },
  0x4c: (m) => m.push(Number.parseInt(m.line().replace(/L$/, ''), 10)), // LONG (protocol 0)
  0x47: (m) => m.push(m.f64be()), // BINFLOAT
  0x46: (m) => m.push(Number.parseFloat(m.line())), // FLOAT (protocol 0)
  0x58: (m) => m.push(m.text(m.u32())), // BINUNICODE
  0x8c: (m) => m.push(m.text(m.u8())), // SHORT_BINUNICODE
  0x8d: (m) => m.push(m.text(m.u64())), // BINUNICODE8
  0x54: (m) => m.push(new TextDecoder('latin1').decode(m.take(m.i32()))), // BINSTRING (Python 2 str)
  0x55: (m) => m.push(new TextDecoder('latin1').decode(m.take(m.u8()))), // SHORT_BINSTRING
  0x42: (m) => m.push(m.take(m.u32()).slice()), // BINBYTES
  0x43: (m) => m.push(m.take(m.u8()).slice()), // SHORT_BINBYTES
  0x8e: (m) => m.push(m.take(m.u64()).slice()), // BINBYTES8
  0x29: (m) => m.push(new PickleTuple([])), // EMPTY_TUPLE
  0x74: (m) => m.push(new PickleTuple(m.popMark())), // TUPLE
  0x85: (m) => m.push(new PickleTuple([m.pop()])), // TUPLE1
  0x86: (m) => {
    const b = m.pop(); // TUPLE2
    m.push(new PickleTuple([m.pop(), b]));
  },
  0x87: (m) => {
    const c = m.pop(); // TUPLE3
    const b = m.pop();
    m.push(new PickleTuple([m.pop(), b, c]));
  },
  0x5d: (m) => m.push([]), // EMPTY_LIST
  0x6c: (m) => m.push(m.popMark()), // LIST
  0x61: (m) => {
    const item = m.pop(); // APPEND
    const list = m.top();
    if (!Array.isArray(list)) throw new PickleError(`the pickle appends to something that is not a list at byte ${m.position - 1}`);
    list.push(item);
  },
  0x65: (m) => {
    const items = m.popMark(); // APPENDS
    const list = m.top();
    if (!Array.isArray(list)) throw new PickleError(`the pickle appends to something that is not a list at byte ${m.position - 1}`);
    list.push(...items);
  },
  0x7d: (m) => m.push(new Map()), // EMPTY_DICT
  0x64: (m) => {
    const items = m.popMark(); // DICT
    m.push(new Map());
    setItems(m, items);
  },
  0x73: (m) => {
    const value = m.pop(); // SETITEM
    const key = m.pop();
    setItems(m, [key, value]);
  },
  0x75: (m) => setItems(m, m.popMark()), // SETITEMS
  0x70: (m) => m.memo.set(Number.parseInt(m.line(), 10), m.top()), // PUT
  0x71: (m) => m.memo.set(m.u8(), m.top()), // BINPUT
  0x72: (m) => m.memo.set(m.u32(), m.top()), // LONG_BINPUT
  0x94: (m) => m.memo.set(m.memo.size, m.top()), // MEMOIZE
  0x67: (m) => m.push(m.memoGet(Number.parseInt(m.line(), 10))), // GET
  0x68: (m) => m.push(m.memoGet(m.u8())), // BINGET
  0x6a: (m) => m.push(m.memoGet(m.u32())), // LONG_BINGET
  0x63: (m) => {
    const module = m.line(); // GLOBAL
    m.push(m.global(module, m.line()));
  },
  0x93: (m) => {
    const name = m.pop(); // STACK_GLOBAL
    const module = m.pop();
    if (typeof module !== 'string' || typeof name !== 'string') throw new PickleError(`STACK_GLOBAL at byte ${m.position - 1} names no global`);
    m.push(m.global(module, name));
  },
  0x51: (m) => {
    const id = m.pop(); // BINPERSID
    if (m.options.persistentLoad === undefined) throw new PickleError(`the pickle refers to a persistent object at byte ${m.position - 1}, which ${m.options.purpose} does not have`);
    m.push(m.options.persistentLoad(id));
  },
  0x52: (m) => {
    const args = m.pop(); // REDUCE: only the allow-listed functions are ever called
    const callable = m.pop();
    if (typeof callable !== 'object' || callable === null || !('call' in callable) || !(args instanceof PickleTuple)) {
      throw new PickleError(`REDUCE at byte ${m.position - 1} calls something that is not an allowed global; nothing was run`);
    }
    const allowed = callable as AllowedGlobal & { call: (args: readonly unknown[]) => unknown };
    const made = allowed.call(args.items);
    if (typeof made === 'object' && made !== null) builtBy.set(made, { made: allowed });
    m.push(made);
  },
  0x62: (m) => {
    const state = m.pop(); // BUILD: only on what an allowed global made, through its own setState
    const target = m.top();
    const maker = typeof target === 'object' && target !== null ? builtBy.get(target)?.made : undefined;
    if (maker === undefined || !('call' in maker) || maker.setState === undefined) {
      throw new PickleError(`BUILD at byte ${m.position - 1} sets the state of an object no allowed global made; nothing was run`);
    }
    maker.setState(target, state);
  },
  0x69: refuse('INST (an instance of any class)'),
  0x6f: refuse('OBJ (an instance of any class)'),
  0x81: refuse('NEWOBJ (an instance of any class)'),
  0x92: refuse('NEWOBJ_EX (an instance of any class)'),
  0x82: refuse('EXT1 (a registered extension)'),
  0x83: refuse('EXT2 (a registered extension)'),
  0x84: refuse('EXT4 (a registered extension)'),
  0x50: refuse('PERSID (a text persistent id)'),
};

/** Reads one pickle starting at `start`; returns its value and the byte after its STOP. */
export function unpickle(bytes: Uint8Array, start: number, options: UnpickleOptions): { value: unknown; end: number } {
  const machine = new Machine(bytes, start, options);
  while (!machine.done) {
    if (machine.position >= bytes.length) throw new PickleError(`the pickle is truncated: it ends at byte ${bytes.length} before its STOP opcode`);
    const at = machine.position;
    const opcode = machine.u8();
    const run = OPCODES[opcode];
    if (run === undefined) throw new PickleError(`unknown pickle opcode 0x${opcode.toString(16).padStart(2, '0')} at byte ${at}`);
    run(machine);
  }
  return { value: machine.result, end: machine.position };
}
