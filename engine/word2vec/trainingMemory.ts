import type { HuffmanPaths } from './huffmanTree';
import { buildNegativeLogSigmoidTable, buildSigmoidTable, EXP_TABLE_SIZE, MAX_EXP } from './sigmoidTable';
import type { KernelSettings } from './wasm/kernelModule';
import { webAssembly, type WasmMemory } from './wasm/webAssemblyApi';

/** Byte offsets of one thread's private parts of the shared memory. */
export interface ThreadSlots {
  gradient: number;
  hidden: number;
  negatives: number;
  sentence: number;
}

/** What a run's shared memory must hold. */
export interface LayoutRequest {
  vocabularySize: number;
  dim: number;
  /** Negative sampling: its output rows and table exist when negative > 0. */
  negative: number;
  tableSize: number;
  /** Hierarchical softmax: the inner nodes' rows and the words' Huffman paths, when given. */
  huffman?: HuffmanPaths;
  threads: number;
  maxSentenceLength: number;
}

/** Where everything lives in the one shared WebAssembly.Memory of a training run (byte offsets). */
export interface TrainingLayout {
  vocabularySize: number;
  dim: number;
  negative: number;
  tableSize: number;
  /** Hierarchical softmax: inner-node rows, and the words' Huffman paths. */
  hs: boolean;
  innerNodes: number;
  pathLength: number;
  sigmoid: number;
  lossTable: number;
  input: number;
  output: number;
  hsOutput: number;
  table: number;
  keep: number;
  pathStart: number;
  paths: number;
  threads: ThreadSlots[];
  bytes: number;
}

const PAGE = 65536;
const MAX_PAGES = 65536;

/** Lays out the shared memory; every array starts 16-byte aligned (v128 loads of whole rows). */
export function planTrainingLayout(request: LayoutRequest): TrainingLayout {
  const { vocabularySize, dim, threads, maxSentenceLength, huffman } = request;
  const negative = request.negative;
  const tableSize = negative > 0 ? request.tableSize : 0;
  const innerNodes = huffman?.innerNodes ?? 0;
  const pathLength = huffman?.paths.length ?? 0;
  let end = 64;
  const take = (bytes: number): number => {
    const at = end;
    end = Math.ceil((end + bytes) / 16) * 16;
    return at;
  };
  const sigmoid = take((EXP_TABLE_SIZE + 1) * 4);
  const lossTable = take((EXP_TABLE_SIZE + 1) * 8);
  const input = take(vocabularySize * dim * 4);
  const output = take(negative > 0 ? vocabularySize * dim * 4 : 0);
  const hsOutput = take(innerNodes * dim * 4);
  const table = take(tableSize * 4);
  const keep = take(vocabularySize * 4);
  const pathStart = take(huffman ? (vocabularySize + 1) * 4 : 0);
  const paths = take(pathLength * 4);
  const slots: ThreadSlots[] = [];
  for (let thread = 0; thread < threads; thread++) {
    slots.push({ gradient: take(dim * 4), hidden: take(dim * 4), negatives: take(negative * 4), sentence: take(maxSentenceLength * 4) });
  }
  return { vocabularySize, dim, negative, tableSize, hs: huffman !== undefined, innerNodes, pathLength, sigmoid, lossTable, input, output, hsOutput, table, keep, pathStart, paths, threads: slots, bytes: end };
}

/** The views the trainer fills before the first epoch and reads after each. */
export interface TrainingMemory {
  memory: WasmMemory;
  layout: TrainingLayout;
  input: Float32Array;
  /** Negative sampling's output rows (empty without negative sampling). */
  output: Float32Array;
  /** Hierarchical softmax's inner-node rows (empty without it). */
  hsOutput: Float32Array;
  table: Int32Array;
  keep: Float32Array;
  pathStart: Int32Array;
  paths: Int32Array;
}

export function allocateTrainingMemory(layout: TrainingLayout): TrainingMemory {
  const pages = Math.ceil(layout.bytes / PAGE);
  if (pages > MAX_PAGES) {
    throw new Error(`the model needs ${(layout.bytes / 2 ** 30).toFixed(1)} GiB of training memory (vocabulary ${layout.vocabularySize} × ${layout.dim} dimensions per matrix, plus the sampling table); the limit is 4 GiB: raise min_count or lower vector_size`);
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
    output: new Float32Array(buffer, layout.output, layout.negative > 0 ? matrix : 0),
    hsOutput: new Float32Array(buffer, layout.hsOutput, layout.innerNodes * layout.dim),
    table: new Int32Array(buffer, layout.table, layout.tableSize),
    keep: new Float32Array(buffer, layout.keep, layout.vocabularySize),
    pathStart: new Int32Array(buffer, layout.pathStart, layout.hs ? layout.vocabularySize + 1 : 0),
    paths: new Int32Array(buffer, layout.paths, layout.pathLength),
  };
}

/** Copies the Huffman paths into the shared memory. */
export function writeHuffmanPaths(memory: TrainingMemory, huffman: HuffmanPaths): void {
  memory.pathStart.set(huffman.pathStart);
  memory.paths.set(huffman.paths);
}

/** A thread's kernel settings: the shared arrays, its own scratch, and what to train. */
export function kernelSettings(layout: TrainingLayout, thread: number, training: { window: number; shareNegatives: boolean }): KernelSettings {
  const slots = layout.threads[thread]!;
  return {
    input: layout.input,
    output: layout.output,
    hsOutput: layout.hsOutput,
    dim: layout.dim,
    window: training.window,
    negative: layout.negative,
    shareNegatives: training.shareNegatives,
    hs: layout.hs,
    table: layout.table,
    tableSize: layout.tableSize,
    sigmoid: layout.sigmoid,
    lossTable: layout.lossTable,
    keep: layout.keep,
    pathStart: layout.pathStart,
    paths: layout.paths,
    gradient: slots.gradient,
    hidden: slots.hidden,
    negatives: slots.negatives,
  };
}

/** splitmix64 of (seed, run, epoch, thread): independent, reproducible streams for every epoch and thread. */
export function epochRandomState(seed: number, run: number, epoch: number, thread: number): bigint {
  let z = BigInt.asUintN(64, BigInt(Math.trunc(seed)) * 0x9e3779b97f4a7c15n + BigInt(run) * 0xbf58476d1ce4e5b9n + BigInt(epoch) * 0x94d049bb133111ebn + BigInt(thread + 1) * 0x2545f4914f6cdd1dn);
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
  return z ^ (z >> 31n);
}
