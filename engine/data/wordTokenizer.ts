// Word-level tokenisation for the word-vector classifier. Words are split as the example word2vec
// corpora are cleaned (scripts/make-example-data.mjs): letters and digits, with apostrophes and
// hyphens kept inside a word, so "war," gives "war" — the word a vector was trained for. Punctuation
// is not dropped but becomes tokens of its own ("$", "!"), which carry signal for a classifier.
import type { BatchTokenizer } from './tokenizedExamples';
import { wordHash, writeNgramIds, type WordNgramSettings } from './wordNgrams';

export const PAD_TOKEN = '[PAD]';
export const UNK_TOKEN = '[UNK]';
export const PAD_ID = 0;
export const UNK_ID = 1;

/** A word (letters, marks, digits; ' ’ - inside) or one other non-space character; data/wordTokenizerJson.ts writes it into tokenizer.json. */
export const TOKEN_PATTERN = "[\\p{L}\\p{M}\\p{N}]+(?:['’-][\\p{L}\\p{M}\\p{N}]+)*|[^\\s\\p{L}\\p{M}\\p{N}]";
const TOKEN = new RegExp(TOKEN_PATTERN, 'gu');

export interface WordTokenizeOptions {
  readonly lowercase?: boolean;
  /** Keep at most this many tokens (the rest of a long text is cut). */
  readonly maxTokens?: number;
}

/** The words and punctuation marks of `text`, in order. */
export function wordTokens(text: string, { lowercase = false, maxTokens = Number.POSITIVE_INFINITY }: WordTokenizeOptions = {}): string[] {
  const source = lowercase ? text.toLowerCase() : text;
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(source); match !== null && tokens.length < maxTokens; match = TOKEN.exec(source)) tokens.push(match[0]);
  return tokens;
}

/**
 * Texts split into words once, for a run that counts its words (to choose the vocabulary) before it
 * encodes them: each distinct word is kept once, in the order first seen, with its count, and each
 * text as indices into them, so the regular expression and the word lookups run once per token.
 */
export class SplitTexts {
  /** The distinct words, in the order first seen. */
  readonly words: string[] = [];
  /** The most words a text has. */
  readonly longest: number;
  private readonly counts: number[] = [];
  private readonly offsets: Int32Array;
  private readonly indices: Int32Array;

  constructor(texts: readonly string[], options: WordTokenizeOptions) {
    const indexOf = new Map<string, number>();
    const indices: number[] = [];
    let longest = 0;
    this.offsets = new Int32Array(texts.length + 1);
    texts.forEach((text, at) => {
      for (const word of wordTokens(text, options)) {
        let index = indexOf.get(word);
        if (index === undefined) {
          index = this.words.push(word) - 1;
          indexOf.set(word, index);
          this.counts.push(0);
        }
        this.counts[index]!++;
        indices.push(index);
      }
      this.offsets[at + 1] = indices.length;
      longest = Math.max(longest, indices.length - this.offsets[at]!);
    });
    this.longest = longest;
    this.indices = Int32Array.from(indices);
  }

  get count(): number {
    return this.offsets.length - 1;
  }

  /** Text `text`'s words, as indices into `words`. */
  wordsOf(text: number): Int32Array {
    return this.indices.subarray(this.offsets[text], this.offsets[text + 1]);
  }

  /** How often each word occurs in all the texts. */
  wordCounts(): Map<string, number> {
    return new Map(this.words.map((word, index) => [word, this.counts[index]!]));
  }
}

/** Word n-grams as a tokenizer adds them: up to `maxN` words, hashed into `buckets` rows after the vocabulary. */
export type NgramOptions = Pick<WordNgramSettings, 'maxN' | 'buckets'>;

/**
 * Maps words to ids: `[PAD]` is 0 and `[UNK]` 1, then the given words in order. An unknown word is
 * `[UNK]`; a text with no token at all becomes one `[UNK]`, so every example has something to pool.
 * With `ngrams`, the ids of the text's hashed word n-grams follow its word ids (wordNgrams.ts).
 */
export class WordTokenizer implements BatchTokenizer {
  readonly padTokenId = PAD_ID;
  private readonly ids: ReadonlyMap<string, number>;
  private readonly ngrams: WordNgramSettings | undefined;

  constructor(
    /** The whole vocabulary, `[PAD]` and `[UNK]` first. */
    readonly words: readonly string[],
    readonly lowercase: boolean,
    ngrams?: NgramOptions,
  ) {
    this.ngrams = ngrams !== undefined && ngrams.maxN > 1 ? { ...ngrams, firstId: words.length } : undefined;
    if (words[PAD_ID] !== PAD_TOKEN || words[UNK_ID] !== UNK_TOKEN) throw new Error(`a word vocabulary starts with ${PAD_TOKEN} and ${UNK_TOKEN}`);
    const ids = new Map<string, number>();
    words.forEach((word, id) => {
      if (!ids.has(word)) ids.set(word, id);
    });
    this.ids = ids;
  }

  /** Rows of the embedding matrix the ids index: the words, then the n-gram buckets. */
  get vocabSize(): number {
    return this.words.length + (this.ngrams?.buckets ?? 0);
  }

  idOf(word: string): number {
    return this.ids.get(word) ?? UNK_ID;
  }

  /** `maxLength` words and their n-grams of every length up to maxN. */
  longestFor(maxLength: number): number {
    const maxN = this.ngrams?.maxN ?? 1;
    let longest = maxLength;
    for (let n = 2; n <= maxN; n++) longest += Math.max(0, maxLength - n + 1);
    return longest;
  }

  /** Token ids of one text: at most `maxLength` words (never none), then their n-grams. */
  tokenIds(text: string, maxLength: number): Int32Array {
    const words = wordTokens(text, { lowercase: this.lowercase, maxTokens: maxLength });
    return this.row(
      words.map((word) => this.idOf(word)),
      () => words.map(wordHash),
    );
  }

  /** What `tokenIds` gives each text of `split`, from its words looked up and hashed once each. */
  idsOfSplit(split: SplitTexts): Int32Array[] {
    const wordIds = Int32Array.from(split.words, (word) => this.idOf(word));
    const hashes = Uint32Array.from(this.ngrams ? split.words : [], wordHash);
    const textIds = new Int32Array(split.longest);
    const textHashes = new Uint32Array(split.longest);
    return Array.from({ length: split.count }, (_, text) => {
      const indices = split.wordsOf(text);
      for (let at = 0; at < indices.length; at++) textIds[at] = wordIds[indices[at]!]!;
      return this.row(textIds.subarray(0, indices.length), () => {
        for (let at = 0; at < indices.length; at++) textHashes[at] = hashes[indices[at]!]!;
        return textHashes.subarray(0, indices.length);
      });
    });
  }

  /** A text's row from its words' ids (and, for the n-grams, their `wordHash`es): the words, or one [UNK] when there are none, then the n-grams. */
  private row(wordIds: ArrayLike<number>, hashes: () => ArrayLike<number>): Int32Array {
    if (wordIds.length === 0) return Int32Array.of(UNK_ID);
    const ids = new Int32Array(this.longestFor(wordIds.length));
    ids.set(wordIds);
    if (this.ngrams) writeNgramIds(hashes(), this.ngrams, ids, wordIds.length);
    return ids;
  }

  encode(texts: readonly string[], { maxLength }: { maxLength: number }): { inputIds: number[][]; attentionMask: number[][]; tokenTypeIds: number[][] } {
    const rows = texts.map((text) => this.tokenIds(text, maxLength));
    const longest = rows.reduce((max, row) => Math.max(max, row.length), 0);
    return {
      inputIds: rows.map((row) => [...row, ...new Array<number>(longest - row.length).fill(PAD_ID)]),
      attentionMask: rows.map((row) => Array.from({ length: longest }, (_, i) => (i < row.length ? 1 : 0))),
      tokenTypeIds: rows.map(() => new Array<number>(longest).fill(0)),
    };
  }
}
