// The sparse classifier's worker threads, driven from the main thread: an epoch runs on all of them at
// once (they share the batches through a counter), with the totals polled for progress while they
// work; encoding the pooled features of a set is split between them.
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { locateWorkerEntry, startWorker, workerRequest } from '../io/workerThreads';
import type { WasmMemory } from '../word2vec/wasm/webAssemblyApi';
import { Control, CONTROL_FIELDS } from './kernel';
import type { SparseLayout } from './layout';
import { PROGRESS_FIELDS, Progress, type EpochJob, type FromSparseWorker, type SparseWorkerSetup } from './workerProtocol';

export interface EpochTotals {
  readonly lossSum: number;
  readonly examples: number;
  readonly batches: number;
}

export function sparseWorkerPath(): string {
  return locateWorkerEntry('sparseClassifierWorker', path.join(__dirname, 'worker.ts'), process.env.NLP_STUDIO_SPARSE_WORKER);
}

export class SparseThreads {
  readonly control: Int32Array;
  private readonly progress: Float64Array;
  private readonly workers: Worker[];

  constructor(memory: WasmMemory, layout: SparseLayout) {
    this.control = new Int32Array(new SharedArrayBuffer(CONTROL_FIELDS * 4));
    this.progress = new Float64Array(new SharedArrayBuffer(layout.threads.length * PROGRESS_FIELDS * 8));
    const entry = sparseWorkerPath();
    this.workers = layout.threads.map((_, thread) => {
      const setup: SparseWorkerSetup = { thread, memory, layout, control: this.control.buffer as SharedArrayBuffer, progress: this.progress.buffer as SharedArrayBuffer };
      return startWorker(entry, setup);
    });
  }

  get count(): number {
    return this.workers.length;
  }

  /** The current epoch's totals over every thread. */
  totals(): EpochTotals {
    const sum = (field: number): number => {
      let total = 0;
      for (let thread = 0; thread < this.workers.length; thread++) total += this.progress[thread * PROGRESS_FIELDS + field]!;
      return total;
    };
    return { lossSum: sum(Progress.LossSum), examples: sum(Progress.Examples), batches: sum(Progress.Batches) };
  }

  /**
   * Trains one epoch on every thread from batch `from.batches` (0, or where a stopped run left it:
   * the shared batch counter starts there, and the epoch's totals go on from `from`); `onTick` is called every `intervalMs` while they work.
   * Resolves with the totals and whether `cancel()` stopped it: the batches a cancelled epoch did
   * are the first `batches` (each thread claims the next batch only while not cancelled, and
   * finishes what it claimed).
   */
  async runEpoch(job: Omit<EpochJob, 'type'>, from: EpochTotals, intervalMs: number, onTick: () => void): Promise<EpochTotals & { cancelled: boolean }> {
    Atomics.store(this.control, Control.NextBatch, from.batches);
    Atomics.store(this.control, Control.Cancel, 0);
    this.progress.fill(0);
    // Thread 0's sums go on from the stopped epoch's, so one thread adds in the same order as unstopped.
    this.progress[Progress.LossSum] = from.lossSum;
    this.progress[Progress.Examples] = from.examples;
    this.progress[Progress.Batches] = from.batches;
    const timer = setInterval(onTick, intervalMs);
    try {
      const message = { type: 'epoch', ...job } satisfies EpochJob;
      const replies = await Promise.all(this.workers.map((worker) => this.request(worker, message, 'a training epoch')));
      return { ...this.totals(), cancelled: replies.some((reply) => reply.cancelled) };
    } finally {
      clearInterval(timer);
    }
  }

  /** Caches the pooled features of a set, each thread a share of its examples. */
  async encode(set: 'train' | 'validation', count: number): Promise<void> {
    const share = Math.ceil(count / this.workers.length);
    await Promise.all(
      this.workers.map((worker, thread) => this.request(worker, { type: 'encode', set, from: Math.min(count, thread * share), to: Math.min(count, (thread + 1) * share) }, 'encoding')),
    );
  }

  /** Asks every thread to stop after its current batch. */
  cancel(): void {
    Atomics.store(this.control, Control.Cancel, 1);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private async request(worker: Worker, message: unknown, what: string): Promise<{ cancelled: boolean }> {
    const reply = await workerRequest<FromSparseWorker>(worker, message, what);
    if (reply.type === 'failed') throw new Error(`a classifier training thread failed: ${reply.message}${reply.stack ? `\n${reply.stack}` : ''}`);
    return reply;
  }
}
