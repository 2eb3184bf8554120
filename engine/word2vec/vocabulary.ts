import { readCorpusLines, tokenizeLine, type TokenizeOptions } from './corpusReader';

/** Raw word counts of a corpus, in order of first appearance. */
export interface WordCounts {
  counts: Map<string, number>;
  /** All tokens read, including words that later fall under min_count. */
  totalTokens: number;
  lines: number;
}

/** One streaming pass over the corpus: memory grows with the number of distinct words only. */
export async function countWords(files: readonly string[], options: TokenizeOptions = {}): Promise<WordCounts> {
  const counts = new Map<string, number>();
  let totalTokens = 0;
  let lines = 0;
  for await (const line of readCorpusLines(files)) {
    lines++;
    for (const token of tokenizeLine(line, options)) {
      counts.set(token, (counts.get(token) ?? 0) + 1);
      totalTokens++;
    }
  }
  return { counts, totalTokens, lines };
}

/** The trained words, most frequent first; a word's index is its row in the weight matrices. */
export class Vocabulary {
  readonly words: readonly string[];
  readonly counts: Float64Array;
  private readonly indexByWord: Map<string, number>;

  constructor(words: readonly string[], counts: ArrayLike<number>) {
    if (words.length !== counts.length) throw new Error(`vocabulary has ${words.length} words but ${counts.length} counts`);
    this.words = words;
    this.counts = Float64Array.from(counts);
    this.indexByWord = new Map();
    words.forEach((word, index) => {
      if (this.indexByWord.has(word)) throw new Error(`vocabulary lists the word '${word}' twice`);
      this.indexByWord.set(word, index);
    });
  }

  get size(): number {
    return this.words.length;
  }

  /** Sum of the counts: the words one epoch trains on (word2vec.c's train_words). */
  get totalCount(): number {
    let sum = 0;
    for (const count of this.counts) sum += count;
    return sum;
  }

  indexOf(word: string): number | undefined {
    return this.indexByWord.get(word);
  }

  has(word: string): boolean {
    return this.indexByWord.has(word);
  }

  /** word2vec.c / gensim order: words with at least `minCount` occurrences, by descending count, ties in first-seen order. */
  static fromCounts(counts: ReadonlyMap<string, number>, minCount: number): Vocabulary {
    const kept = [...counts].filter(([, count]) => count >= minCount);
    kept.sort((a, b) => b[1] - a[1]); // Array.prototype.sort is stable
    return new Vocabulary(
      kept.map(([word]) => word),
      kept.map(([, count]) => count),
    );
  }
}
