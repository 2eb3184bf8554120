import { buildNegativeLogSigmoidTable, buildSigmoidTable, EXP_TABLE_SIZE, MAX_EXP } from './sigmoidTable';
import { KERNEL_CONFIG_BYTES, KernelConfig } from './wasm/kernelModule';
import { webAssembly, type WasmMemory } from './wasm/webAssemblyApi';

/** Byte offsets of one thread's private parts of the shared memory. */
export interface ThreadSlots {
  config: number;
  gradient: number;
  hidden: number;
  negatives: number;
  sentence: number;
}

/** Where everything lives in the one shared WebAssembly.Memory of a training run (byte offsets). */
export interface TrainingLayout {
  vocabularySize: number;
  dim: number;
  sigmoid: number;
  lossTable: number;
  input: number;
  output: number;
  table: number;
  tableSize: number;
  keep: number;
  threads: ThreadSlots[];
  bytes: number;
}

const PAGE = 65536;
const MAX_PAGES = 65536;

/** Lays out the shared memory; every array starts 16-byte aligned (v128 loads of whole rows). */
export function planTrainingLayout(vocabularySize: number, dim: number, tableSize: number, threads: number, negative: number, maxSentenceLength: number): TrainingLayout {
  let end = 64;
  const take = (bytes: number): number => {
    const at = end;
    end = Math.ceil((end + bytes) / 16) * 16;
    return at;
  };
  const sigmoid = take((EXP_TABLE_SIZE + 1) * 4);
  const lossTable = take((EXP_TABLE_SIZE + 1) * 8);
  const input = take(vocabularySize * dim * 4);
  const output = take(vocabularySize * dim * 4);
  const table = take(tableSize * 4);
  const keep = take(vocabularySize * 4);
  const slots: ThreadSlots[] = [];
  for (let thread = 0; thread < threads; thread++) {
    slots.push({ config: take(KERNEL_CONFIG_BYTES), gradient: take(dim * 4), hidden: take(dim * 4), negatives: take(negative * 4), sentence: take(maxSentenceLength * 4) });
  }
  return { vocabularySize, dim, sigmoid, lossTable, input, output, table, tableSize, keep, threads: slots, bytes: end };
}

/** The views the trainer fills before the first epoch and reads after each. */
export interface TrainingMemory {
  memory: WasmMemory;
  layout: TrainingLayout;
  input: Float32Array;
  output: Float32Array;
  table: Int32Array;
  keep: Float32Array;
}

export function allocateTrainingMemory(layout: TrainingLayout): TrainingMemory {
  const pages = Math.ceil(layout.bytes / PAGE);
  if (pages > MAX_PAGES) {
    throw new Error(`the model needs ${(layout.bytes / 2 ** 30).toFixed(1)} GiB of training memory (vocabulary ${layout.vocabularySize} × ${layout.dim} dimensions × 2 matrices, plus the sampling table); the limit is 4 GiB: raise min_count or lower vector_size`);
  }
  const memory = new webAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const buffer = memory.buffer;
  const matrix = layout.vocabularySize * layout.dim;
  new Float32Array(buffer, layout.sigmoid, EXP_TABLE_SIZE + 1).set([...buildSigmoidTable(), 1 / (1 + Math.exp(-MAX_EXP))]);
  new Float64Array(buffer, layout.lossTable, EXP_TABLE_SIZE + 1).set(buildNegativeLogSigmoidTable());
  return {
    memory,
    layout,
    input: new Float32Array(buffer, layout.input, matrix),
    output: new Float32Array(buffer, layout.output, matrix),
    table: new Int32Array(buffer, layout.table, layout.tableSize),
    keep: new Float32Array(buffer, layout.keep, layout.vocabularySize),
  };
}

/** Writes a thread's kernel configuration block. */
export function writeKernelConfig(memory: WasmMemory, layout: TrainingLayout, thread: number, settings: { window: number; negative: number; shareNegatives: boolean }): void {
  const slots = layout.threads[thread]!;
  const view = new DataView(memory.buffer, slots.config, KERNEL_CONFIG_BYTES);
  const i32 = (field: number, value: number): void => view.setInt32(field, value, true);
  i32(KernelConfig.input, layout.input);
  i32(KernelConfig.output, layout.output);
  i32(KernelConfig.dim, layout.dim);
  i32(KernelConfig.window, settings.window);
  i32(KernelConfig.negative, settings.negative);
  i32(KernelConfig.table, layout.table);
  i32(KernelConfig.tableSize, layout.tableSize);
  i32(KernelConfig.sigmoid, layout.sigmoid);
  i32(KernelConfig.lossTable, layout.lossTable);
  i32(KernelConfig.gradient, slots.gradient);
  i32(KernelConfig.negatives, slots.negatives);
  i32(KernelConfig.keep, layout.keep);
  i32(KernelConfig.shareNegatives, settings.shareNegatives ? 1 : 0);
  i32(KernelConfig.hidden, slots.hidden);
  view.setBigUint64(KernelConfig.random, 0n, true);
  view.setFloat64(KernelConfig.loss, 0, true);
  view.setFloat64(KernelConfig.predictions, 0, true);
}

/** What of a thread's kernel state changes as it trains: its random state and the epoch's loss totals. */
export interface KernelState {
  random: bigint;
  loss: number;
  predictions: number;
}

/**
 * Sets a thread's kernel state before an epoch (the workers idle): a fresh epoch's seed and zero
 * totals, so an epoch's draws depend on its number only, or the state a stopped run left.
 */
export function setKernelState(memory: WasmMemory, layout: TrainingLayout, thread: number, state: KernelState): void {
  const view = new DataView(memory.buffer, layout.threads[thread]!.config, KERNEL_CONFIG_BYTES);
  view.setBigUint64(KernelConfig.random, BigInt.asUintN(64, state.random), true);
  view.setFloat64(KernelConfig.loss, state.loss, true);
  view.setFloat64(KernelConfig.predictions, state.predictions, true);
}

/** A thread's kernel state after an epoch, or where it stopped (the workers idle). */
export function kernelState(memory: WasmMemory, layout: TrainingLayout, thread: number): KernelState {
  const view = new DataView(memory.buffer, layout.threads[thread]!.config, KERNEL_CONFIG_BYTES);
  return { random: view.getBigUint64(KernelConfig.random, true), loss: view.getFloat64(KernelConfig.loss, true), predictions: view.getFloat64(KernelConfig.predictions, true) };
}

/** splitmix64 of (seed, run, epoch, thread): independent, reproducible streams for every epoch and thread. */
export function epochRandomState(seed: number, run: number, epoch: number, thread: number): bigint {
  let z = BigInt.asUintN(64, BigInt(Math.trunc(seed)) * 0x9e3779b97f4a7c15n + BigInt(run) * 0xbf58476d1ce4e5b9n + BigInt(epoch) * 0x94d049bb133111ebn + BigInt(thread + 1) * 0x2545f4914f6cdd1dn);
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
  return z ^ (z >> 31n);
}
