import type { Word2VecAlgorithm } from './workerProtocol';

/** Training settings; names follow the config's `word2vec` section in camelCase, defaults gensim's. */
export interface Word2VecOptions {
  algorithm: Word2VecAlgorithm;
  vectorSize: number;
  window: number;
  minCount: number;
  /** Negative samples per prediction; 0 turns negative sampling off (then `hs` must be on). */
  negative: number;
  /** Hierarchical softmax over a Huffman tree of the vocabulary, alone or beside negative sampling. */
  hs: boolean;
  sample: number;
  epochs: number;
  alpha: number;
  minAlpha: number;
  threads: number;
  seed: number;
  lowercase: boolean;
  /** Longer lines are cut into sentences of this many kept words (gensim caps at 10000). */
  maxSentenceLength: number;
  /** Slots of the negative-sampling table. */
  tableSize: number;
  /**
   * Draw one set of negatives per centre word and use it for all its context words (Ji et al. 2016)
   * instead of fresh negatives per (context, centre) pair as word2vec.c does: far fewer random reads of
   * the table and of output rows, so faster; skip-gram only (CBOW makes one prediction per centre word).
   */
  shareNegatives: boolean;
}

export const DEFAULT_WORD2VEC_OPTIONS: Word2VecOptions = {
  algorithm: 'skipgram',
  vectorSize: 100,
  window: 5,
  minCount: 5,
  negative: 5,
  hs: false,
  sample: 1e-3,
  epochs: 5,
  alpha: 0.025,
  minAlpha: 0.0001,
  threads: 1,
  seed: 1,
  lowercase: false,
  maxSentenceLength: 10000,
  tableSize: 10_000_000,
  shareNegatives: true,
};

/** Fills defaults and rejects settings the trainer cannot honour. */
export function resolveWord2VecOptions(partial: Partial<Word2VecOptions>): Word2VecOptions {
  const options = { ...DEFAULT_WORD2VEC_OPTIONS, ...partial };
  const integers: (keyof Word2VecOptions)[] = ['vectorSize', 'window', 'minCount', 'epochs', 'threads', 'maxSentenceLength', 'tableSize'];
  for (const key of integers) {
    const value = options[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new Error(`word2vec option ${key} must be a positive integer, got ${String(value)}`);
  }
  if (!Number.isInteger(options.negative) || options.negative < 0) throw new Error(`word2vec option negative must be an integer ≥ 0, got ${options.negative}`);
  if (options.negative === 0 && !options.hs) throw new Error('word2vec option negative is 0 and hs is off: nothing would train; set negative ≥ 1 or hs: true');
  if (!(options.alpha > 0)) throw new Error(`word2vec option alpha must be positive, got ${options.alpha}`);
  if (!(options.minAlpha >= 0 && options.minAlpha <= options.alpha)) throw new Error(`word2vec option minAlpha must lie in [0, alpha], got ${options.minAlpha}`);
  if (!(options.sample >= 0)) throw new Error(`word2vec option sample must be ≥ 0, got ${options.sample}`);
  return options;
}
