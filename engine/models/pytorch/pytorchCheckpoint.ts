/**
 * pytorch_model.bin: the state dict `torch.save` writes, read without running anything. Two layouts:
 * - the zip archive of PyTorch ≥ 1.6: `<root>/data.pkl` (the pickled dict, whose tensors point at
 *   storages by persistent id) and `<root>/data/<key>` (each storage's raw little-endian bytes);
 * - the legacy stream of older PyTorch (and `_use_new_zipfile_serialization=False`): five pickles
 *   (magic number, protocol, system info, the dict, the storage keys), then each storage as an
 *   int64 element count and its bytes.
 * The pickles go through restrictedUnpickler with the few globals a state dict uses.
 */
import { open, readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { decodeWeights, elementCount, type FloatTensor } from '../safetensors';
import { PickleError, PickleTuple, unpickle, type AllowedGlobal, type UnpickleOptions } from './restrictedUnpickler';

/** A bad, refused or unreadable pytorch_model.bin; the message names the file. */
export class PytorchCheckpointError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: cannot read it as a PyTorch state dict: ${detail}`);
    this.name = 'PytorchCheckpointError';
  }
}

/** torch's storage classes: the element type of a storage's bytes, as safetensors names it. */
const STORAGE_TYPES: Readonly<Record<string, { readonly dtype: string; readonly bytes: number }>> = {
  FloatStorage: { dtype: 'F32', bytes: 4 },
  DoubleStorage: { dtype: 'F64', bytes: 8 },
  HalfStorage: { dtype: 'F16', bytes: 2 },
  BFloat16Storage: { dtype: 'BF16', bytes: 2 },
  LongStorage: { dtype: 'I64', bytes: 8 },
  IntStorage: { dtype: 'I32', bytes: 4 },
  ShortStorage: { dtype: 'I16', bytes: 2 },
  CharStorage: { dtype: 'I8', bytes: 1 },
  ByteStorage: { dtype: 'U8', bytes: 1 },
  BoolStorage: { dtype: 'BOOL', bytes: 1 },
};
const FLOAT_DTYPES = new Set(['F32', 'F64', 'F16', 'BF16']);

interface StorageType {
  readonly storageType: string;
}
interface Storage {
  readonly key: string;
  readonly dtype: string;
  readonly bytesPerElement: number;
  readonly elements: number;
}
interface TensorView {
  readonly storage: Storage;
  readonly offset: number;
  readonly shape: number[];
  readonly stride: number[];
}
const tensorViews = new WeakSet<TensorView>();

function integers(value: unknown, what: string): number[] {
  const items = value instanceof PickleTuple ? value.items : undefined;
  if (items === undefined || !items.every((item) => typeof item === 'number' && Number.isSafeInteger(item) && item >= 0)) {
    throw new PickleError(`a tensor's ${what} is not a tuple of sizes`);
  }
  return items as number[];
}

/** torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, …) and the older _rebuild_tensor. */
function rebuildTensor(args: readonly unknown[]): TensorView {
  const [storage, offset, size, stride] = args;
  if (typeof storage !== 'object' || storage === null || !('key' in storage) || typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new PickleError('a tensor is rebuilt from something that is not a storage');
  }
  const view: TensorView = { storage: storage as Storage, offset, shape: integers(size, 'size'), stride: integers(stride, 'stride') };
  if (view.shape.length !== view.stride.length) throw new PickleError('a tensor has as many strides as dimensions');
  tensorViews.add(view);
  return view;
}

/** The globals a plain state dict's pickle uses, and nothing else. */
const STATE_DICT_GLOBALS: Readonly<Record<string, AllowedGlobal>> = {
  // A state dict is an OrderedDict; its BUILD state (the `_metadata` attribute) is not needed.
  'collections.OrderedDict': { call: () => new Map(), setState: () => undefined },
  'torch._utils._rebuild_tensor_v2': { call: rebuildTensor },
  'torch._utils._rebuild_tensor': { call: rebuildTensor },
  'torch._utils._rebuild_parameter': { call: ([data]) => data },
  ...Object.fromEntries(Object.keys(STORAGE_TYPES).map((storageType) => [`torch.${storageType}`, { value: { storageType } satisfies StorageType }])),
};

/** Resolves torch's persistent id ('storage', storage type, key, location, element count[, view metadata]). */
function storageFrom(id: unknown, storages: Map<string, Storage>): Storage {
  const [tag, type, key, , elements, view] = id instanceof PickleTuple ? id.items : [];
  const storageType = typeof type === 'object' && type !== null && 'storageType' in type ? (type as StorageType).storageType : undefined;
  if (tag !== 'storage' || storageType === undefined || typeof key !== 'string' || typeof elements !== 'number') throw new PickleError('a persistent id is not a torch storage');
  if (view !== undefined && view !== null) throw new PickleError('the checkpoint uses storage views (PyTorch before 1.0), which this reader does not support; re-save it with a current PyTorch');
  const { dtype, bytes } = STORAGE_TYPES[storageType]!;
  const storage = storages.get(key) ?? { key, dtype, bytesPerElement: bytes, elements };
  storages.set(key, storage);
  return storage;
}

/** The pickled state dict: tensor views by name, in file order. */
function stateDictOf(value: unknown): Map<string, TensorView> {
  if (!(value instanceof Map)) throw new PickleError('the file holds no dict of tensors (a plain state dict is what from_pretrained saves)');
  const tensors = new Map<string, TensorView>();
  for (const [name, tensor] of value) {
    if (typeof name !== 'string' || typeof tensor !== 'object' || tensor === null || !tensorViews.has(tensor as TensorView)) {
      throw new PickleError(`the entry ${JSON.stringify(name)} is not a tensor: the file is not a plain state dict`);
    }
    tensors.set(name, tensor as TensorView);
  }
  return tensors;
}

function options(storages: Map<string, Storage>): UnpickleOptions {
  return { allowed: STATE_DICT_GLOBALS, purpose: 'a PyTorch state dict', persistentLoad: (id) => storageFrom(id, storages) };
}

/** A tensor's elements, row-major, as bytes of its storage's element type (a strided view is gathered). */
function contiguousBytes(view: TensorView, storageBytes: Uint8Array): Uint8Array {
  const size = view.storage.bytesPerElement;
  const count = elementCount(view.shape);
  let last = view.offset;
  view.shape.forEach((extent, axis) => (last += extent === 0 ? 0 : (extent - 1) * view.stride[axis]!));
  if (count > 0 && (last + 1) * size > storageBytes.length) {
    throw new PickleError(`a tensor reaches element ${last} of a storage of ${storageBytes.length / size} elements`);
  }
  const rowMajor = view.shape.every((_, axis) => view.shape[axis] === 1 || view.stride[axis] === elementCount(view.shape.slice(axis + 1)));
  if (rowMajor) return storageBytes.subarray(view.offset * size, (view.offset + count) * size);
  const out = new Uint8Array(count * size);
  const index = new Array<number>(view.shape.length).fill(0);
  for (let element = 0; element < count; element++) {
    const at = view.offset + index.reduce((sum, i, axis) => sum + i * view.stride[axis]!, 0);
    out.set(storageBytes.subarray(at * size, (at + 1) * size), element * size);
    for (let axis = index.length - 1; axis >= 0 && ++index[axis]! === view.shape[axis]; axis--) index[axis] = 0;
  }
  return out;
}

export interface PytorchStateDict {
  /** Every tensor name in the file, in file order. */
  readonly names: string[];
  readonly tensors: Map<string, FloatTensor>;
}

/** Reads the float tensors `select` picks (by name) from a pytorch_model.bin. */
export async function readPytorchCheckpoint(file: string, select: (name: string) => boolean = () => true): Promise<PytorchStateDict> {
  try {
    const head = await readHead(file, 4);
    if (head[0] === 0x50 && head[1] === 0x4b) return await readZipCheckpoint(file, select);
    if (head[0] === 0x80) return await readLegacyCheckpoint(file, select);
    throw new PickleError('it is neither the zip archive torch.save writes nor its older pickle stream');
  } catch (error) {
    if (error instanceof PytorchCheckpointError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new PytorchCheckpointError(file, code === undefined ? (error as Error).message : `cannot read it (${code})`);
  }
}

async function readHead(file: string, count: number): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(count);
    const { bytesRead } = await handle.read(head, 0, count, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The selected tensors as float32, each storage read once (tied weights share one). */
async function materialise(file: string, views: Map<string, TensorView>, select: (name: string) => boolean, storageBytes: (storage: Storage) => Promise<Uint8Array>): Promise<PytorchStateDict> {
  const tensors = new Map<string, FloatTensor>();
  const read = new Map<string, Uint8Array>();
  for (const [name, view] of views) {
    if (!select(name)) continue;
    if (!FLOAT_DTYPES.has(view.storage.dtype)) throw new PytorchCheckpointError(file, `tensor '${name}' has dtype ${view.storage.dtype}; only float tensors can be read as weights`);
    let bytes = read.get(view.storage.key);
    if (bytes === undefined) {
      bytes = await storageBytes(view.storage);
      const expected = view.storage.elements * view.storage.bytesPerElement;
      if (bytes.length !== expected) throw new PytorchCheckpointError(file, `storage ${view.storage.key} has ${bytes.length} bytes, not the ${expected} its tensors need (truncated?)`);
      read.set(view.storage.key, bytes);
    }
    tensors.set(name, { shape: view.shape, data: decodeWeights(file, name, view.storage.dtype, contiguousBytes(view, bytes)) });
  }
  return { names: [...views.keys()], tensors };
}

async function readZipCheckpoint(file: string, select: (name: string) => boolean): Promise<PytorchStateDict> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  } catch (error) {
    throw new PickleError(`the zip archive is damaged or truncated (${(error as Error).message})`);
  }
  try {
    const entries = new Map<string, yauzl.Entry>();
    for await (const entry of zip.eachEntry()) entries.set(entry.fileName, entry);
    const pickles = [...entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
    if (pickles.length !== 1) throw new PickleError(`the zip archive has ${pickles.length === 0 ? 'no' : 'more than one'} <name>/data.pkl, so torch.save did not write it`);
    const root = pickles[0]!.slice(0, -'data.pkl'.length);
    const entryBytes = async (name: string): Promise<Uint8Array> => {
      const entry = entries.get(name);
      if (entry === undefined) throw new PickleError(`the zip archive lacks ${name}`);
      return streamBytes(await zip.openReadStreamPromise(entry));
    };
    const byteOrder = entries.has(`${root}byteorder`) ? Buffer.from(await entryBytes(`${root}byteorder`)).toString('latin1') : 'little';
    if (byteOrder !== 'little') throw new PickleError(`the storages are ${byteOrder}-endian; only little-endian checkpoints can be read`);
    const storages = new Map<string, Storage>();
    const views = stateDictOf(unpickle(await entryBytes(pickles[0]!), 0, options(storages)).value);
    return await materialise(file, views, select, (storage) => entryBytes(`${root}data/${storage.key}`));
  } finally {
    zip.close();
  }
}

async function streamBytes(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** torch.serialization's MAGIC_NUMBER, the first pickle of the legacy format. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

async function readLegacyCheckpoint(file: string, select: (name: string) => boolean): Promise<PytorchStateDict> {
  const bytes = await readFile(file);
  const plain: UnpickleOptions = { allowed: {}, purpose: 'the header of a PyTorch checkpoint' };
  const magic = unpickle(bytes, 0, plain);
  if (magic.value !== LEGACY_MAGIC) throw new PickleError('it starts with a pickle but not with torch.save\'s magic number');
  const protocol = unpickle(bytes, magic.end, plain);
  const info = unpickle(bytes, protocol.end, plain);
  if (info.value instanceof Map && info.value.get('little_endian') === false) throw new PickleError('the storages are big-endian; only little-endian checkpoints can be read');
  const storages = new Map<string, Storage>();
  const main = unpickle(bytes, info.end, options(storages));
  const views = stateDictOf(main.value);
  const keys = unpickle(bytes, main.end, plain);
  if (!Array.isArray(keys.value) || !keys.value.every((key) => typeof key === 'string')) throw new PickleError('the list of storage keys is missing');
  // Each storage: its element count (int64, little-endian) and its bytes, in the order of the keys.
  const where = new Map<string, { start: number; length: number }>();
  let position = keys.end;
  for (const key of keys.value) {
    if (position + 8 > bytes.length) throw new PickleError(`the file is truncated: storage ${key} starts beyond its end (${bytes.length} bytes)`);
    const elements = Number(bytes.readBigInt64LE(position));
    const storage = storages.get(key);
    const length = elements * (storage?.bytesPerElement ?? 0);
    if (position + 8 + length > bytes.length) throw new PickleError(`the file is truncated: storage ${key} needs ${length} bytes at byte ${position + 8}, but the file has ${bytes.length}`);
    where.set(key, { start: position + 8, length });
    position += 8 + length;
  }
  return materialise(file, views, select, (storage) => {
    const range = where.get(storage.key);
    if (range === undefined) throw new PytorchCheckpointError(file, `storage ${storage.key} is not in the file`);
    return Promise.resolve(bytes.subarray(range.start, range.start + range.length));
  });
}
