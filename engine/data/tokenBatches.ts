// Batches as the model takes them: row-major [batchSize, sequenceLength] Int32Arrays, padded only
// to the longest example of the batch (dynamic padding), never to max_length.
import { planBucketedBatches, planSortedBatches, type BucketingOptions } from './lengthBuckets';
import type { TokenizedExamples } from './tokenizedExamples';

export interface TokenBatch {
  readonly inputIds: Int32Array;
  readonly attentionMask: Int32Array;
  readonly tokenTypeIds: Int32Array;
  readonly labels: Int32Array;
  readonly batchSize: number;
  readonly sequenceLength: number;
  /** Which examples the rows are, to put predictions back in data order. */
  readonly exampleIndices: Int32Array;
}

export function assembleBatch(examples: TokenizedExamples, indices: ArrayLike<number>): TokenBatch {
  const batchSize = indices.length;
  let sequenceLength = 0;
  for (let row = 0; row < batchSize; row++) sequenceLength = Math.max(sequenceLength, examples.lengths[indices[row]!]!);
  const inputIds = new Int32Array(batchSize * sequenceLength).fill(examples.padTokenId);
  const attentionMask = new Int32Array(batchSize * sequenceLength);
  const tokenTypeIds = new Int32Array(batchSize * sequenceLength);
  const labels = new Int32Array(batchSize);
  for (let row = 0; row < batchSize; row++) {
    const example = indices[row]!;
    const start = examples.offsets[example]!;
    const end = examples.offsets[example + 1]!;
    const at = row * sequenceLength;
    inputIds.set(examples.tokenIds.subarray(start, end), at);
    tokenTypeIds.set(examples.tokenTypeIds.subarray(start, end), at);
    attentionMask.fill(1, at, at + end - start);
    labels[row] = examples.labels[example]!;
  }
  return { inputIds, attentionMask, tokenTypeIds, labels, batchSize, sequenceLength, exampleIndices: Int32Array.from(indices) };
}

/** One training epoch of length-bucketed batches in a seeded order. */
export function* trainingBatches(examples: TokenizedExamples, options: BucketingOptions): Generator<TokenBatch> {
  for (const indices of planBucketedBatches(examples.lengths, options)) yield assembleBatch(examples, indices);
}

/** Evaluation batches: sorted by length for the least padding; `exampleIndices` maps rows back. */
export function* evaluationBatches(examples: TokenizedExamples, batchSize: number): Generator<TokenBatch> {
  for (const indices of planSortedBatches(examples.lengths, batchSize)) yield assembleBatch(examples, indices);
}
