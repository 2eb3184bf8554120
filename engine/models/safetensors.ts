import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { BufferedFileWriter, writeFileAtomic } from '../io/atomicWrite';

/**
 * The safetensors format, read and written directly: an 8-byte little-endian header length, a JSON
 * header `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}}`, then
 * the tensor bytes (offsets relative to the end of the header), little-endian, row-major.
 */

/** Element types the format defines; the float ones can be read into a Float32Array. */
const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, F8_E4M3: 1, F8_E5M2: 1,
  I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};

/** The float types this reader converts to Float32Array, and the ones the writer can produce. */
export type FloatDtype = 'F32' | 'F16' | 'BF16';
const READABLE_FLOATS = new Set(['F64', 'F32', 'F16', 'BF16']);

/** The header refuses lengths beyond this: real headers are kilobytes; a bad length must not allocate gigabytes. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface SafetensorsEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Byte range of the tensor's data, relative to the start of the data section. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  readonly file: string;
  /** In the order of their data in the file. */
  readonly tensors: ReadonlyMap<string, SafetensorsEntry>;
  readonly metadata: Readonly<Record<string, string>>;
  /** Absolute file offset where the data section starts (8 + header length). */
  readonly dataStart: number;
}

/** A float tensor in memory: row-major data, converted to float32 whatever the stored dtype. */
export interface FloatTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A bad or unreadable safetensors file; the message names the file. */
export class SafetensorsError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: not a valid safetensors file: ${detail}`);
    this.name = 'SafetensorsError';
  }
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** Parses and validates the header; `fileSize` is the total file length, so every tensor must fit in it. */
export function parseSafetensorsHeader(file: string, headerJson: string, dataStart: number, fileSize: number): SafetensorsHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(headerJson);
  } catch (error) {
    throw new SafetensorsError(file, `the header is not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SafetensorsError(file, 'the header is not a JSON object');
  }
  const metadata: Record<string, string> = {};
  const entries: Array<[string, SafetensorsEntry]> = [];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new SafetensorsError(file, '__metadata__ must be an object of strings');
      }
      for (const [key, text] of Object.entries(value as Record<string, unknown>)) {
        if (typeof text !== 'string') throw new SafetensorsError(file, `__metadata__.${key} must be a string`);
        metadata[key] = text;
      }
      continue;
    }
    entries.push([name, parseEntry(file, name, value)]);
  }
  entries.sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  // As the reference implementation checks: the tensors tile the data section, no gaps, no overlaps.
  let expectedBegin = 0;
  for (const [name, entry] of entries) {
    if (entry.begin !== expectedBegin) {
      throw new SafetensorsError(
        file,
        entry.begin < expectedBegin ? `tensor '${name}' overlaps the tensor before it` : `gap in the data before tensor '${name}'`,
      );
    }
    expectedBegin = entry.end;
  }
  const available = fileSize - dataStart;
  if (expectedBegin > available) {
    const last = entries[entries.length - 1];
    throw new SafetensorsError(
      file,
      `the file is truncated: the header describes ${expectedBegin} bytes of tensor data (up to '${last?.[0] ?? ''}') but only ${available} follow the header`,
    );
  }
  return { file, tensors: new Map(entries), metadata, dataStart };
}

function parseEntry(file: string, name: string, value: unknown): SafetensorsEntry {
  if (typeof value !== 'object' || value === null) throw new SafetensorsError(file, `tensor '${name}' is not an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in BYTES_PER_ELEMENT)) {
    throw new SafetensorsError(file, `tensor '${name}' has unknown dtype ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && (size as number) >= 0)) {
    throw new SafetensorsError(file, `tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
  }
  if (
    !Array.isArray(offsets) || offsets.length !== 2 ||
    !offsets.every((offset) => Number.isSafeInteger(offset) && (offset as number) >= 0) ||
    (offsets[0] as number) > (offsets[1] as number)
  ) {
    throw new SafetensorsError(file, `tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const sizes = shape as number[];
  const expectedBytes = elementCount(sizes) * (BYTES_PER_ELEMENT[dtype] ?? 0);
  if (end - begin !== expectedBytes) {
    throw new SafetensorsError(
      file,
      `tensor '${name}' (${dtype} [${sizes.join(', ')}]) needs ${expectedBytes} bytes but data_offsets span ${end - begin}`,
    );
  }
  return { dtype, shape: sizes, begin, end };
}

/** Reads only the header of a safetensors file (the tensors stay on disk). */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const handle = await openForReading(file);
  try {
    return await readHeaderFrom(handle, file);
  } finally {
    await handle.close();
  }
}

/**
 * Reads the float tensors of a safetensors file into Float32Arrays, one tensor at a time (a large file
 * is never held whole in memory, nor decoded as a string). `select` picks the tensors to read, by
 * name; a selected tensor with a non-float dtype is an error.
 */
export async function readSafetensors(
  file: string,
  select: (name: string, entry: SafetensorsEntry) => boolean = () => true,
): Promise<{ header: SafetensorsHeader; tensors: Map<string, FloatTensor> }> {
  const handle = await openForReading(file);
  try {
    const header = await readHeaderFrom(handle, file);
    const tensors = new Map<string, FloatTensor>();
    for (const [name, entry] of header.tensors) {
      if (!select(name, entry)) continue;
      if (!READABLE_FLOATS.has(entry.dtype)) {
        throw new SafetensorsError(file, `tensor '${name}' has dtype ${entry.dtype}; only F32, F16, BF16 and F64 can be read as floats`);
      }
      const bytes = Buffer.allocUnsafe(entry.end - entry.begin);
      await readFully(handle, file, bytes, header.dataStart + entry.begin);
      tensors.set(name, { shape: entry.shape, data: decodeWeights(file, name, entry.dtype, bytes) });
    }
    return { header, tensors };
  } finally {
    await handle.close();
  }
}

async function openForReading(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    throw new SafetensorsError(file, `cannot open it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

async function readHeaderFrom(handle: FileHandle, file: string): Promise<SafetensorsHeader> {
  const { size } = await handle.stat();
  if (size < 8) throw new SafetensorsError(file, `the file is ${size} bytes, shorter than the 8-byte header length`);
  const lengthBytes = Buffer.alloc(8);
  await readFully(handle, file, lengthBytes, 0);
  const headerLength = lengthBytes.readBigUInt64LE(0);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, size - 8))) {
    throw new SafetensorsError(file, `the header length ${headerLength} exceeds the ${size - 8} bytes after it (truncated or not safetensors)`);
  }
  const headerBytes = Buffer.alloc(Number(headerLength));
  await readFully(handle, file, headerBytes, 8);
  if (headerBytes[0] !== 0x7b /* { */) throw new SafetensorsError(file, 'the header does not start with "{"');
  return parseSafetensorsHeader(file, headerBytes.toString('utf8'), 8 + headerBytes.length, size);
}

async function readFully(handle: FileHandle, file: string, target: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) throw new SafetensorsError(file, `unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Converts little-endian F32/F16/BF16/F64 bytes to float32 values. */
export function decodeFloats(dtype: string, bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(bytes.byteLength / 4);
      if (LITTLE_ENDIAN_HOST) new Uint8Array(out.buffer).set(bytes);
      else for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(bytes.byteLength / 2);
      for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift into place through an integer view.
      const out = new Float32Array(bytes.byteLength / 2);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
    case 'F64': {
      const out = new Float32Array(bytes.byteLength / 8);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    default:
      throw new Error(`cannot decode ${dtype} as floats`);
  }
}

/** A weight that is NaN or infinite: the model cannot predict or train from it. */
export class NonFiniteWeightError extends Error {
  constructor(
    readonly file: string,
    readonly tensor: string,
    index: number,
    value: number,
  ) {
    super(`${file}: tensor '${tensor}' holds ${value} at index ${index}: the weights are damaged, or were saved from a run that diverged`);
    this.name = 'NonFiniteWeightError';
  }
}

/** A stored tensor's values as float32 (decodeFloats), refused when any is NaN or infinite: every weights reader decodes through here. */
export function decodeWeights(file: string, tensor: string, dtype: string, bytes: Uint8Array): Float32Array {
  const values = decodeFloats(dtype, bytes);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    // value - value is 0 for finite values and NaN for NaN and ±Infinity: one comparison per value.
    if (value - value !== 0) throw new NonFiniteWeightError(file, tensor, i, value);
  }
  return values;
}

/** Float32 values as little-endian bytes of the given dtype (F16 and BF16 round to nearest even); F32 on a little-endian host is a view of `values`. */
export function encodeFloats(dtype: FloatDtype, values: Float32Array): Uint8Array {
  if (dtype === 'F32') {
    // On little-endian hosts the values already are the file's bytes: a view, not a copy of a large checkpoint.
    if (LITTLE_ENDIAN_HOST) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const out = new Uint8Array(values.length * 4);
    const view = new DataView(out.buffer);
    values.forEach((value, i) => view.setFloat32(i * 4, value, true));
    return out;
  }
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  const convert = dtype === 'F16' ? floatToHalf : floatToBfloat16;
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, convert(values[i] ?? 0), true);
  return out;
}

export function halfToFloat(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const scratch = new DataView(new ArrayBuffer(4));

export function floatToHalf(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // inf, NaN
  let halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00; // overflow → inf
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the mantissa with its implicit 1, rounding to nearest even.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const halfMantissa = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    const rounded = remainder > halfway || (remainder === halfway && (halfMantissa & 1)) ? halfMantissa + 1 : halfMantissa;
    return sign | rounded;
  }
  let halfMantissa = mantissa >>> 13;
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && halfMantissa & 1)) {
    halfMantissa += 1;
    if (halfMantissa === 0x400) {
      halfMantissa = 0;
      halfExponent += 1;
      if (halfExponent >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (halfExponent << 10) | halfMantissa;
}

export function floatToBfloat16(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return (bits >>> 16) | 0x40; // keep NaN a NaN
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

export interface TensorToWrite extends FloatTensor {
  /** Stored dtype; F32 unless given. */
  readonly dtype?: FloatDtype;
}

/**
 * Writes tensors as a safetensors file, atomically (a crash leaves the previous file, or none).
 * Tensors are written in the map's order, each converted as it is written, so memory stays at one
 * tensor's bytes; the header is padded with spaces to a multiple of 8 bytes, as the reference
 * implementation does, so data is aligned.
 */
export async function writeSafetensors(
  file: string,
  tensors: ReadonlyMap<string, TensorToWrite>,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, tensor] of tensors) {
    if (name === '__metadata__') throw new Error(`${file}: a tensor cannot be named __metadata__`);
    const count = elementCount(tensor.shape);
    if (count !== tensor.data.length) {
      throw new Error(`${file}: tensor '${name}' has shape [${tensor.shape.join(', ')}] (${count} values) but ${tensor.data.length} values`);
    }
    const dtype = tensor.dtype ?? 'F32';
    const bytes = count * (BYTES_PER_ELEMENT[dtype] ?? 0);
    header[name] = { dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let headerText = JSON.stringify(header);
  const headerBytesLength = Buffer.byteLength(headerText, 'utf8');
  headerText += ' '.repeat((8 - (headerBytesLength % 8)) % 8);
  const headerBytes = Buffer.from(headerText, 'utf8');
  await writeFileAtomic(file, async (handle) => {
    const writer = new BufferedFileWriter(handle);
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(headerBytes.length));
    await writer.write(length);
    await writer.write(headerBytes);
    for (const tensor of tensors.values()) await writer.write(encodeFloats(tensor.dtype ?? 'F32', tensor.data));
    await writer.flush();
  });
}

