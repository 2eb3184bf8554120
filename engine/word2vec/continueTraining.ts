import { initialiseInputRows, sharedFloat32, type Word2VecModel } from './model';
import { NearestNeighbours, cosine, type Neighbour } from './neighbours';
import { resolveWord2VecOptions, type Word2VecOptions } from './options';
import { Word2VecRandom } from './random';
import { readVectors } from './vectorsFormat';
import { countWords, Vocabulary, type WordCounts } from './vocabulary';
import { isFullModelFolder, loadFullModel } from './fullModel';
import { buildHuffmanTree } from './huffmanTree';

/** What the new corpus adds to a model's vocabulary, known before training starts (the preview). */
export interface VocabularyGrowth {
  /** New words that reach min_count in the new corpus, most frequent first: they join the vocabulary. */
  newWords: { word: string; count: number }[];
  /** Distinct new words left out because they occur fewer than min_count times. */
  newWordsBelowMinCount: number;
  /** Distinct known words the new corpus uses (their counts are merged). */
  knownWordsSeen: number;
  corpusCounts: WordCounts;
}

/** Which new words would join (gensim's build_vocab(update=True): a new word needs min_count in the new corpus). */
export function previewVocabularyGrowth(vocabulary: Vocabulary, corpusCounts: WordCounts, minCount: number): VocabularyGrowth {
  const newWords: { word: string; count: number }[] = [];
  let below = 0;
  let known = 0;
  for (const [word, count] of corpusCounts.counts) {
    if (vocabulary.has(word)) known++;
    else if (count >= minCount) newWords.push({ word, count });
    else below++;
  }
  newWords.sort((a, b) => b.count - a.count);
  return { newWords, newWordsBelowMinCount: below, knownWordsSeen: known, corpusCounts };
}

/** Whether two vocabularies' counts give the same Huffman tree (hierarchical softmax's rows then keep their meaning). */
function sameHuffmanTree(before: ArrayLike<number>, after: ArrayLike<number>): boolean {
  if (before.length !== after.length) return false;
  const [a, b] = [buildHuffmanTree(before), buildHuffmanTree(after)];
  return a.paths.length === b.paths.length && a.paths.every((entry, i) => entry === b.paths[i]) && a.pathStart.every((start, i) => start === b.pathStart[i]);
}

/**
 * The model with the new corpus' counts merged and its new words appended: old words keep their rows
 * (so their vectors carry over), new input rows are random as in a fresh model, new output rows zero.
 * Hierarchical softmax's rows belong to the inner nodes of the Huffman tree of the counts: when the
 * merged counts change the tree, they are dropped and the layer starts fresh (gensim keeps the rows
 * by index, which pairs them with other nodes).
 */
export function growModel(model: Word2VecModel, growth: VocabularyGrowth, seed: number): Word2VecModel {
  const old = model.vocabulary;
  const counts = Array.from(old.counts);
  for (const [word, count] of growth.corpusCounts.counts) {
    const index = old.indexOf(word);
    if (index !== undefined) counts[index] = counts[index]! + count;
  }
  const words = [...old.words, ...growth.newWords.map((entry) => entry.word)];
  counts.push(...growth.newWords.map((entry) => entry.count));
  const dim = model.dim;
  const input = sharedFloat32(words.length * dim);
  input.set(model.input);
  initialiseInputRows(input, dim, old.size, new Word2VecRandom(seed, 0x9a0 + model.state.runs));
  const grown = (matrix: Float32Array): Float32Array => {
    if (matrix.length === 0) return matrix;
    const copy = sharedFloat32(words.length * dim);
    copy.set(matrix);
    return copy;
  };
  const hsOutput = model.hsOutput.length > 0 && sameHuffmanTree(old.counts, counts) ? model.hsOutput : new Float32Array(0);
  return { ...model, vocabulary: new Vocabulary(words, counts), input, output: grown(model.output), hsOutput };
}

/**
 * A model whose input vectors come from a word2vec .txt/.bin file: the file's words (in file order,
 * with the new corpus' counts, 0 for unseen ones, which are then neither trained nor drawn as negatives)
 * followed by the corpus' new words that reach min_count. Output vectors start at zero.
 */
export function modelFromVectors(vectors: { words: string[]; dim: number; vectors: Float32Array }, corpusCounts: WordCounts, options: Word2VecOptions): { model: Word2VecModel; growth: VocabularyGrowth } {
  if (options.vectorSize !== vectors.dim) throw new Error(`vector_size ${options.vectorSize} does not match the ${vectors.dim} dimensions of the vectors file`);
  const counts = vectors.words.map((word) => corpusCounts.counts.get(word) ?? 0);
  const base: Word2VecModel = {
    vocabulary: new Vocabulary(vectors.words, counts),
    dim: vectors.dim,
    input: vectors.vectors,
    output: new Float32Array(0),
    hsOutput: new Float32Array(0),
    options,
    state: { epochsCompleted: 0, wordsProcessed: 0, runs: 0 },
  };
  // The file's words already carry this corpus' counts: grow with new words only, merging nothing twice.
  const growth = previewVocabularyGrowth(base.vocabulary, corpusCounts, options.minCount);
  const onlyNew: VocabularyGrowth = { ...growth, corpusCounts: { ...corpusCounts, counts: new Map(growth.newWords.map((entry) => [entry.word, entry.count])) } };
  return { model: growModel(base, onlyNew, options.seed), growth };
}

/** A model ready for `trainWord2Vec({ model, wordCounts })`, with what changed and what to tell the user. */
export interface ContinuedTraining {
  model: Word2VecModel;
  growth: VocabularyGrowth;
  /** The new corpus' counts, to pass to the trainer (no second counting pass). */
  wordCounts: WordCounts;
  /** The input vectors before training, for the drift report. */
  before: { words: string[]; dim: number; vectors: Float32Array };
  notices: string[];
}

/**
 * Prepares continued training from `initFrom`: an NLP Studio full-model folder (vocabulary grows,
 * counts merge) or a word2vec .txt/.bin file (input vectors only; the output layer starts fresh).
 */
export async function prepareContinuedTraining(initFrom: string, files: readonly string[], partial: Partial<Word2VecOptions>): Promise<ContinuedTraining> {
  const notices: string[] = [];
  if (await isFullModelFolder(initFrom)) {
    const loaded = await loadFullModel(initFrom);
    const options = resolveWord2VecOptions({ ...loaded.options, vectorSize: loaded.dim, ...partial });
    if (options.vectorSize !== loaded.dim) throw new Error(`vector_size ${options.vectorSize} does not match the ${loaded.dim} dimensions of ${initFrom}`);
    const wordCounts = await countWords(files, { lowercase: options.lowercase });
    if (wordCounts.totalTokens === 0) throw new Error(`the corpus is empty: ${files.join(', ')} hold no words`);
    const growth = previewVocabularyGrowth(loaded.vocabulary, wordCounts, options.minCount);
    const before = { words: [...loaded.vocabulary.words], dim: loaded.dim, vectors: Float32Array.from(loaded.input) };
    const model = growModel({ ...loaded, options }, growth, options.seed);
    notices.push(`Continuing ${initFrom}: ${loaded.vocabulary.size} words, ${growth.newWords.length} new words reach min_count=${options.minCount}, ${growth.newWordsBelowMinCount} new words fall below it.`);
    if (options.hs && loaded.hsOutput.length > 0 && model.hsOutput.length === 0) {
      notices.push("The merged word counts give a different Huffman tree: hierarchical softmax's layer starts fresh (zeros); the word vectors carry over.");
    }
    return { model, growth, wordCounts, before, notices };
  }
  const vectors = await readVectors(initFrom);
  const options = resolveWord2VecOptions({ vectorSize: vectors.dim, ...partial });
  const wordCounts = await countWords(files, { lowercase: options.lowercase });
  if (wordCounts.totalTokens === 0) throw new Error(`the corpus is empty: ${files.join(', ')} hold no words`);
  const before = { words: [...vectors.words], dim: vectors.dim, vectors: Float32Array.from(vectors.vectors) };
  const { model, growth } = modelFromVectors(vectors, wordCounts, options);
  notices.push(...vectors.warnings);
  notices.push(
    `${initFrom} holds input vectors only: the output layer starts fresh (zeros), so the first epoch mostly retrains it and the imported vectors move more than they would when continuing a full model.`,
    `${growth.newWords.length} new words reach min_count=${options.minCount}; ${growth.newWordsBelowMinCount} fall below it. ${vectors.words.length - growth.knownWordsSeen} words of the file do not occur in the new corpus and keep their vectors unchanged.`,
  );
  return { model, growth, wordCounts, before, notices };
}

/** How far one watch word moved and how its neighbourhood changed. */
export interface WordDrift {
  word: string;
  /** 'new' words have no vector before; 'missing' ones are in neither vocabulary. */
  status: 'moved' | 'new' | 'missing';
  /** Cosine between the word's vector before and after (1 = unchanged); undefined unless 'moved'. */
  cosine?: number;
  neighboursBefore: Neighbour[];
  neighboursAfter: Neighbour[];
  /** Neighbours present in both lists. */
  keptNeighbours: number;
}

/** The drift report of continued training for the given watch words. */
export function driftReport(before: { words: readonly string[]; dim: number; vectors: Float32Array }, after: { words: readonly string[]; dim: number; vectors: Float32Array }, watchWords: readonly string[], k = 10): WordDrift[] {
  const oldSpace = new NearestNeighbours(before.words, before.vectors, before.dim);
  const newSpace = new NearestNeighbours(after.words, after.vectors, after.dim);
  return watchWords.map((word) => {
    const oldIndex = oldSpace.indexOf(word);
    const newIndex = newSpace.indexOf(word);
    const neighboursBefore = oldSpace.nearest(word, k) ?? [];
    const neighboursAfter = newSpace.nearest(word, k) ?? [];
    const beforeSet = new Set(neighboursBefore.map((n) => n.word));
    const keptNeighbours = neighboursAfter.filter((n) => beforeSet.has(n.word)).length;
    if (newIndex === undefined) return { word, status: 'missing', neighboursBefore, neighboursAfter, keptNeighbours };
    if (oldIndex === undefined) return { word, status: 'new', neighboursBefore, neighboursAfter, keptNeighbours };
    const oldVector = before.vectors.subarray(oldIndex * before.dim, (oldIndex + 1) * before.dim);
    const newVector = after.vectors.subarray(newIndex * after.dim, (newIndex + 1) * after.dim);
    return { word, status: 'moved', cosine: cosine(oldVector, newVector), neighboursBefore, neighboursAfter, keptNeighbours };
  });
}
