// Hashed word n-grams, as fastText's `-wordNgrams N` adds them: after a text's word ids come the ids of
// its 2- … N-grams, each hashed into one of `buckets` extra embedding rows (after the vocabulary's),
// so "not good" gets a vector of its own without a bigram vocabulary. Collisions share a row.
// The hash is stated here once and recorded in config.json (`ngram_hash`), so anyone can recompute
// the ids: FNV-1a (32-bit) over the UTF-16 code units of each word, combined left to right as
// h = h·116049371 + h_next (mod 2^32, fastText's multiplier), bucket = h mod buckets.

export const NGRAM_HASH = 'fnv1a32-utf16, h = h*116049371 + h_next mod 2^32, bucket = h mod buckets';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const NGRAM_MULTIPLIER = 116049371;

export function wordHash(word: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

export interface WordNgramSettings {
  /** Longest n-gram: 1 is words only, 2 adds bigrams (fastText's -wordNgrams 2). */
  readonly maxN: number;
  /** Hash buckets; n-gram ids are `firstId + bucket`. */
  readonly buckets: number;
  /** Row of bucket 0: the vocabulary size. */
  readonly firstId: number;
}

/**
 * Writes the n-gram ids of the words whose `wordHash`es are `hashes` (2-grams first, then 3-grams, …)
 * into `out` from index `at`; returns the index after the last.
 */
export function writeNgramIds(hashes: ArrayLike<number>, { maxN, buckets, firstId }: WordNgramSettings, out: Int32Array, at: number): number {
  for (let n = 2; n <= maxN; n++) {
    for (let start = 0; start + n <= hashes.length; start++) {
      let h = hashes[start]!;
      for (let k = 1; k < n; k++) h = (Math.imul(h, NGRAM_MULTIPLIER) + hashes[start + k]!) >>> 0;
      out[at++] = firstId + (h % buckets);
    }
  }
  return at;
}
