import type { CorpusSegment } from './corpusReader';
import type { KernelSettings, KernelState } from './wasm/kernelModule';
import type { WasmMemory, WasmModule } from './wasm/webAssemblyApi';

/** Training algorithm: skip-gram predicts the centre word from each context word; CBOW from their mean. */
export type Word2VecAlgorithm = 'skipgram' | 'cbow';

/**
 * Per-thread counters in the shared progress array; each thread writes only its own slot, after each
 * line. The main thread sets them before the workers start (a resumed run) and between epochs.
 */
export const ProgressField = {
  /** In-vocabulary words read (before subsampling), over the run: the lr schedule's clock. */
  Words: 0,
  /** All tokens read, out-of-vocabulary ones included, over the run: the throughput numerator. */
  Tokens: 1,
  /** Summed training loss (negative sampling and/or hierarchical softmax) of the current epoch, float64. */
  Loss: 2,
  /** (context, centre) predictions made in the current epoch, to turn the loss sum into a mean. */
  Predictions: 3,
  /** The learning rate the thread used last. */
  Alpha: 4,
  /** Lines of the thread's share trained in the current epoch: where it stands in its share. */
  Lines: 5,
} as const;
export const PROGRESS_FIELDS = 6;

/** Index in the shared control Int32Array. */
export const ControlField = {
  /** Non-zero asks every thread to stop after its current sentence. */
  Cancel: 0,
} as const;
export const CONTROL_FIELDS = 1;

/** What each worker receives once, as workerData. The memory and the counters are shared, not copied. */
export interface WorkerSetup {
  workerIndex: number;
  threads: number;
  words: string[];
  segments: CorpusSegment[];
  /** The run's shared WasmMemory: matrices, tables and every thread's scratch (see trainingMemory.ts). */
  memory: WasmMemory;
  kernels: WasmModule;
  /** Where this thread's kernels find the shared arrays and its scratch, and what they train. */
  kernelSettings: KernelSettings;
  /** This thread's sentence buffer (a byte offset). */
  sentenceOffset: number;
  progress: SharedArrayBuffer;
  control: SharedArrayBuffer;
  algorithm: Word2VecAlgorithm;
  alpha: number;
  minAlpha: number;
  /** In-vocabulary words in the whole schedule: corpus words × epochs. */
  scheduledWords: number;
  /** Scheduled words already done before this run started (a resumed run). */
  wordsAlreadyDone: number;
  lowercase: boolean;
  maxSentenceLength: number;
}

/**
 * main → worker; `skipLines`: the first lines of the share were trained before a stop (0 otherwise);
 * `state`: the kernel state to start from (a fresh epoch's seed and zero totals, or a stopped one's).
 */
export type ToWorker = { type: 'epoch'; epoch: number; skipLines: number; state: KernelState } | { type: 'close' };

/** worker → main; `state`: the kernel state after the epoch, or where it stopped (what a checkpoint keeps). */
export type FromWorker = { type: 'epochDone'; epoch: number; cancelled: boolean; state: KernelState } | { type: 'failed'; message: string; stack?: string };
