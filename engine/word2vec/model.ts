import type { Word2VecOptions } from './options';
import { Word2VecRandom } from './random';
import type { Vocabulary } from './vocabulary';

/** Where a model stands in its training history, saved with it so a later run can continue. */
export interface TrainingState {
  epochsCompleted: number;
  /** In-vocabulary words read over all runs (before subsampling). */
  wordsProcessed: number;
  /** Runs that trained this model, oldest first. */
  runs: number;
  /** Where the epoch in progress stood when a run stopped inside it (a checkpoint's model); absent at an epoch boundary. */
  position?: EpochPosition;
}

/** The state at an epoch boundary: without the position of a stop inside an epoch. */
export function atEpochBoundary(state: TrainingState): TrainingState {
  const copy = { ...state };
  delete copy.position;
  return copy;
}

/**
 * A word2vec run stopped inside epoch `epoch` (0-based, over the run): per thread, how far into its
 * share of the corpus it got and the state it had there, so that resuming continues every thread
 * from that very line (with one thread: bit for bit as if never stopped).
 */
export interface EpochPosition {
  epoch: number;
  threads: ThreadPosition[];
}

export interface ThreadPosition {
  /** Lines of the thread's share trained, and the in-vocabulary words and all tokens in them. */
  lines: number;
  words: number;
  tokens: number;
  /** The epoch's loss sum and prediction count so far (float64). */
  loss: number;
  predictions: number;
  /** The kernel's 64-bit random state, as a decimal string (JSON has no 64-bit integers). */
  random: string;
}

/** The full model continued training needs: vocabulary with counts, the weight matrices, settings, state. */
export interface Word2VecModel {
  vocabulary: Vocabulary;
  dim: number;
  /** Input vectors (the word vectors), vocabulary size × dim. */
  input: Float32Array;
  /** Output vectors of negative sampling, same shape; empty when the model has never used it. */
  output: Float32Array;
  /**
   * Hierarchical softmax's inner-node vectors, (vocabulary size − 1) × dim, row i for inner node i of
   * the Huffman tree of the vocabulary's counts (huffmanTree.ts); empty when the model has never used it.
   */
  hsOutput: Float32Array;
  options: Word2VecOptions;
  state: TrainingState;
}

/** A Float32Array on a SharedArrayBuffer, so worker threads can update it in place. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

/** Fills rows [fromRow, rows) of `input` like gensim 4: uniform in [-1, 1) / dim (word2vec.c uses half that range). */
export function initialiseInputRows(input: Float32Array, dim: number, fromRow: number, random: Word2VecRandom): void {
  for (let i = fromRow * dim; i < input.length; i++) input[i] = (random.nextFloat() * 2 - 1) / dim;
}

/** Rows of hierarchical softmax's inner-node matrix for a vocabulary: one per inner node of its Huffman tree. */
export function innerNodeRows(vocabularySize: number): number {
  return Math.max(0, vocabularySize - 1);
}

/** A fresh model: random input vectors, zero output vectors for the objectives `options` trains (word2vec.c's InitNet). */
export function createModel(vocabulary: Vocabulary, options: Word2VecOptions): Word2VecModel {
  const dim = options.vectorSize;
  const input = sharedFloat32(vocabulary.size * dim);
  initialiseInputRows(input, dim, 0, new Word2VecRandom(options.seed, 0x5eed));
  return {
    vocabulary,
    dim,
    input,
    output: sharedFloat32(options.negative > 0 ? vocabulary.size * dim : 0),
    hsOutput: sharedFloat32(options.hs ? innerNodeRows(vocabulary.size) * dim : 0),
    options,
    state: { epochsCompleted: 0, wordsProcessed: 0, runs: 0 },
  };
}

/** The model with its matrices moved onto SharedArrayBuffers (a no-op when they already are). */
export function withSharedMatrices(model: Word2VecModel): Word2VecModel {
  const share = (matrix: Float32Array): Float32Array => {
    if (matrix.buffer instanceof SharedArrayBuffer) return matrix;
    const shared = sharedFloat32(matrix.length);
    shared.set(matrix);
    return shared;
  };
  return { ...model, input: share(model.input), output: share(model.output), hsOutput: share(model.hsOutput) };
}
