/** word2vec.c's exponent: negatives are drawn from the unigram distribution raised to 3/4. */
export const UNIGRAM_POWER = 0.75;

/** word2vec.c uses 1e8 slots; 1e7 keeps the table at 40 MB while every word above ~1e-7 of the mass gets a slot. */
export const DEFAULT_TABLE_SIZE = 10_000_000;

/**
 * The negative-sampling table: word i fills a share of the slots proportional to count_i^0.75, so a
 * uniform slot is a draw from the smoothed unigram distribution. Words with count 0 (vectors imported
 * without counts) are never drawn. Writes into `table` when given (a SharedArrayBuffer view).
 */
export function buildUnigramTable(counts: ArrayLike<number>, tableSize = DEFAULT_TABLE_SIZE, table: Int32Array = new Int32Array(tableSize)): Int32Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += Math.pow(counts[i] ?? 0, UNIGRAM_POWER);
  if (!(total > 0)) throw new Error('cannot build the negative-sampling table: every word has count 0');
  let cumulative = 0;
  let slot = 0;
  for (let word = 0; word < counts.length; word++) {
    cumulative += Math.pow(counts[word] ?? 0, UNIGRAM_POWER);
    const end = word === counts.length - 1 ? tableSize : Math.min(tableSize, Math.round((cumulative / total) * tableSize));
    table.fill(word, slot, end);
    if (end > slot) slot = end;
  }
  return table;
}
