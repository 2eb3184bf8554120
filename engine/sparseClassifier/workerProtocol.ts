// What crosses between the sparse classifier's threads: the memory and counters once (workerData),
// then one message per epoch or encoding job and one reply.
import type { ScheduledStage } from '../training/learningRateSchedule';
import type { WasmMemory } from '../word2vec/wasm/webAssemblyApi';
import type { PooledSource, TrainSettings } from './kernel';
import type { SparseLayout } from './layout';

/** Per-thread counters of the current epoch in the shared progress Float64Array; each thread writes only its own. */
export const Progress = {
  LossSum: 0,
  Examples: 1,
  Batches: 2,
} as const;
export const PROGRESS_FIELDS = 3;

export interface SparseWorkerSetup {
  readonly thread: number;
  readonly memory: WasmMemory;
  readonly layout: SparseLayout;
  /** Int32Array (kernel.ts `Control`) */
  readonly control: SharedArrayBuffer;
  /** Float64Array [threads × PROGRESS_FIELDS] */
  readonly progress: SharedArrayBuffer;
}

export interface EpochJob {
  readonly type: 'epoch';
  readonly batchSize: number;
  /** Global step of the epoch's first batch. */
  readonly firstStep: number;
  readonly stage: ScheduledStage;
  readonly settings: TrainSettings;
  readonly source: PooledSource;
  /** The run's seed: each batch's dropout masks are seeded from it and the batch's global step. */
  readonly seed: number;
}

/** Pools the examples [from, to) of a set into its cached features. */
export interface EncodeJob {
  readonly type: 'encode';
  readonly set: 'train' | 'validation';
  readonly from: number;
  readonly to: number;
}

export type ToSparseWorker = EpochJob | EncodeJob | { readonly type: 'close' };

export type FromSparseWorker = { readonly type: 'done'; readonly cancelled: boolean } | { readonly type: 'failed'; readonly message: string; readonly stack?: string };
