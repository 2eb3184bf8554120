// Which examples go together in a batch. Training batches are length-bucketed: the epoch's shuffled
// order is cut into chunks of `chunkBatches` batches, each chunk sorted by length and cut into
// batches, and the batch order shuffled, so a batch holds similar lengths (little padding) while
// the epoch stays random. Each epoch has its own seeded order.
import { SeededRandom } from './seededRandom';

export interface BucketingOptions {
  readonly batchSize: number;
  readonly seed: number;
  /** 0-based; each epoch draws a different order from the same seed. */
  readonly epoch: number;
  /** Batches per sorted chunk: larger means less padding, less randomness. */
  readonly chunkBatches?: number;
}

/** Example indices of each batch of one training epoch; every example occurs once, the last batch may be smaller. */
export function planBucketedBatches(lengths: ArrayLike<number>, { batchSize, seed, epoch, chunkBatches = 50 }: BucketingOptions): Int32Array[] {
  checkBatchSize(batchSize);
  const order = new SeededRandom(seed, 2 * epoch).shuffle(Array.from({ length: lengths.length }, (_, i) => i));
  const chunkSize = batchSize * Math.max(1, chunkBatches);
  const batches: Int32Array[] = [];
  for (let start = 0; start < order.length; start += chunkSize) {
    // Array sort is stable: ties keep their shuffled order.
    const chunk = order.slice(start, start + chunkSize).sort((a, b) => lengths[a]! - lengths[b]!);
    batches.push(...cut(chunk, batchSize));
  }
  return new SeededRandom(seed, 2 * epoch + 1).shuffle(batches);
}

/** Batches for evaluation and prediction: all examples sorted by length, no randomness. */
export function planSortedBatches(lengths: ArrayLike<number>, batchSize: number): Int32Array[] {
  checkBatchSize(batchSize);
  const order = Array.from({ length: lengths.length }, (_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  return cut(order, batchSize);
}

export interface PaddingStats {
  readonly realTokens: number;
  readonly paddingTokens: number;
  /** paddingTokens / realTokens. */
  readonly ratio: number;
}

/** Padding when each batch is padded to its longest member. */
export function paddingOf(lengths: ArrayLike<number>, batches: readonly ArrayLike<number>[]): PaddingStats {
  let realTokens = 0;
  let paddedTokens = 0;
  for (const batch of batches) {
    let longest = 0;
    for (let i = 0; i < batch.length; i++) {
      const length = lengths[batch[i]!]!;
      realTokens += length;
      longest = Math.max(longest, length);
    }
    paddedTokens += longest * batch.length;
  }
  return { realTokens, paddingTokens: paddedTokens - realTokens, ratio: realTokens === 0 ? 0 : (paddedTokens - realTokens) / realTokens };
}

function cut(indices: readonly number[], batchSize: number): Int32Array[] {
  const batches: Int32Array[] = [];
  for (let start = 0; start < indices.length; start += batchSize) batches.push(Int32Array.from(indices.slice(start, start + batchSize)));
  return batches;
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, not ${batchSize}`);
}
