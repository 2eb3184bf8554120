// `model.type: embedding-classifier`: word vectors (or random ones) → pooling → dense head, trained on
// the sparse kernel (sparseTraining.ts). The vocabulary is [PAD] (row 0, zero, never updated), [UNK]
// (zero, trainable), the words of the vectors (the first `max_vectors`), then the training words seen
// at least twice that have no vector (random-initialised), then the hashed word n-gram buckets (zero).
// Only rows that occur in the training data ever train; the others stay as the vectors give them.
import { availableParallelism } from 'node:os';
import type { LabelledData } from '../../data/labelledData';
import { SeededRandom } from '../../data/seededRandom';
import { packExamples, tokenizeExamples, type TokenizedExamples } from '../../data/tokenizedExamples';
import { PAD_TOKEN, SplitTexts, UNK_ID, UNK_TOKEN, WordTokenizer } from '../../data/wordTokenizer';
import { configuredDecision } from '../../models/decision';
import { embeddingRows, initialEmbeddingClassifierState, pooledSize, type EmbeddingClassifierConfig } from '../../models/embeddingClassifier';
import { readEmbeddingClassifierFiles, writeEmbeddingClassifierFolder } from '../../models/embeddingClassifierFolder';
import { EMBEDDINGS, rowsIn, SparseModel } from '../../sparseClassifier/sparseModel';
import { readVectorsAt, type LoadedVectors } from '../../vectors/vectorStore';
import { ADAMW_DEFAULTS } from '../../training/adamW';
import { RunError } from '../runError';
import type { TrainerContext } from '../trainerContext';
import type { Notice, PreparedModel } from './classifierModel';
import { sparseTraining } from './sparseTraining';
import { sectionOf } from '../../config/resolvedConfig';

const DEFAULT_DROPOUT = 0.1;
/** Training words seen fewer times than this map to [UNK]: a word seen once teaches nothing general. */
const MIN_TRAINING_COUNT = 2;
/** Random rows (training words without a vector) start at this fraction of the vectors' scale: small. */
const RANDOM_SCALE = 0.1;
/** Above this share of tokens matching the vectors only once lowercased, suggest data.lowercase. */
const CASE_MISMATCH_WARNING = 0.05;

/**
 * The root-mean-square coordinate pretrained vectors are rescaled to, and random embeddings drawn at:
 * 1/√dim, so a vector's length is about 1 whatever its source. GloVe's RMS is about 0.5 (length 5 at
 * 100 dimensions): unscaled, it swamped the head and the unfrozen stage's small rate barely moved it.
 */
export const embeddingScale = (dim: number): number => 1 / Math.sqrt(dim);

/** The vocabulary and the initial embedding matrix. */
export interface EmbeddingVocabulary {
  /** [PAD], [UNK], the vectors' words, then the random-initialised training words (most frequent first). */
  readonly words: string[];
  /** Rows 2 … 2 + pretrained − 1 come from the vectors. */
  readonly pretrained: number;
  readonly random: number;
  /** words.length × dim, row-major (the n-gram buckets, zero, are added by the caller). */
  readonly embeddings: Float32Array;
  readonly dim: number;
  /** The factor the vectors were multiplied by (1 without vectors). */
  readonly rescaled: number;
}

/** Builds the vocabulary from vectors (optional) and token counts of the training data. */
export function buildEmbeddingVocabulary(vectors: Pick<LoadedVectors, 'words' | 'dim' | 'vectors'> | undefined, trainingCounts: ReadonlyMap<string, number>, dim: number, seed: number): EmbeddingVocabulary {
  const words = [PAD_TOKEN, UNK_TOKEN];
  const known = new Set(words);
  const rows: number[] = [];
  for (const [row, word] of (vectors?.words ?? []).entries()) {
    if (known.has(word)) continue; // a repeated word keeps its first vector, as the readers do
    known.add(word);
    words.push(word);
    rows.push(row);
  }
  const pretrained = rows.length;
  const extra = [...trainingCounts]
    .filter(([word, count]) => count >= MIN_TRAINING_COUNT && !known.has(word))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([word]) => word);
  words.push(...extra);
  const embeddings = new Float32Array(words.length * dim);
  const target = embeddingScale(dim);
  let rescaled = 1;
  let scale = target;
  if (vectors !== undefined && pretrained > 0) {
    let squares = 0;
    for (const row of rows) for (let i = row * dim; i < (row + 1) * dim; i++) squares += vectors.vectors[i]! * vectors.vectors[i]!;
    const rms = Math.sqrt(squares / (pretrained * dim));
    rescaled = rms > 0 ? target / rms : 1;
    rows.forEach((row, index) => {
      for (let i = 0; i < dim; i++) embeddings[(2 + index) * dim + i] = vectors.vectors[row * dim + i]! * rescaled;
    });
    scale = RANDOM_SCALE * target;
  }
  // Normal(0, scale) by Box–Muller from the run's seed, so the same config gives the same start.
  const random = new SeededRandom(seed, 11);
  for (let i = (2 + pretrained) * dim; i < embeddings.length; i++) {
    const u = 1 - random.nextFloat();
    embeddings[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextFloat());
  }
  return { words, pretrained, random: extra.length, embeddings, dim, rescaled };
}

/** How the training tokens map: the OOV policy's numbers. */
export interface TokenCoverage {
  readonly tokens: number;
  readonly pretrained: number;
  readonly random: number;
  readonly unknown: number;
}

/** Coverage of the word tokens (n-gram ids, at or after `words`, are not counted). */
export function tokenCoverage(examples: TokenizedExamples, vocabulary: Pick<EmbeddingVocabulary, 'pretrained' | 'words'>): TokenCoverage {
  let pretrained = 0;
  let random = 0;
  let unknown = 0;
  const words = vocabulary.words.length;
  for (const id of examples.tokenIds) {
    if (id >= words) continue;
    if (id === UNK_ID) unknown++;
    else if (id < 2 + vocabulary.pretrained) pretrained++;
    else random++;
  }
  return { tokens: pretrained + random + unknown, pretrained, random, unknown };
}

export function describeCoverage(coverage: TokenCoverage): string {
  const percent = (count: number): string => `${((100 * count) / Math.max(1, coverage.tokens)).toFixed(1)}%`;
  return `${percent(coverage.pretrained)} of training tokens have a pretrained vector, ${percent(coverage.random)} random-initialised, ${percent(coverage.unknown)} [UNK]`;
}

async function loadVectors(target: string, maxVectors: number | undefined): Promise<LoadedVectors> {
  try {
    return await readVectorsAt(target, maxVectors === undefined ? {} : { maxVectors });
  } catch (error) {
    throw new RunError(`model.vectors: ${error instanceof Error ? error.message : String(error)}`, ['model', 'vectors']);
  }
}

export async function prepareEmbeddingClassifier(context: TrainerContext, data: LabelledData): Promise<PreparedModel> {
  const { config } = context;
  const model = sectionOf(config, 'model');
  const training = sectionOf(config, 'training');
  const vectors = model.vectors === undefined ? undefined : await loadVectors(model.vectors, model.max_vectors);
  const notices: Notice[] = (vectors?.warnings ?? []).map((message) => ({ level: 'warning', message }));
  if (vectors !== undefined && model.vector_size !== undefined && model.vector_size !== vectors.dim) {
    throw new RunError(`model.vector_size is ${model.vector_size}, but the vectors in ${vectors.source} have ${vectors.dim} dimensions: set vector_size: ${vectors.dim} or leave it out`, ['model', 'vector_size']);
  }
  const dim = vectors?.dim ?? model.vector_size;
  if (dim === undefined) throw new RunError('model.vector_size is required for an embedding-classifier without model.vectors (its embeddings are then random)', ['model']);
  const lowercase = config.data.lowercase;
  const maxLength = config.data.max_length;
  const wordNgrams = model.word_ngrams;
  const ngramBuckets = wordNgrams > 1 ? model.ngram_buckets : 0;
  const labels = data.labels.names;

  const trainWords = new SplitTexts(data.train.map((example) => example.text), { lowercase, maxTokens: maxLength });
  const counts = trainWords.wordCounts();
  const vocabulary = buildEmbeddingVocabulary(vectors, counts, dim, config.seed);
  const tokenizer = new WordTokenizer(vocabulary.words, lowercase, { maxN: wordNgrams, buckets: ngramBuckets });
  const multiLabel = data.multiLabel ? { multiLabelClasses: labels.length } : {};
  const train = packExamples(data.train, { ids: tokenizer.idsOfSplit(trainWords) }, { padTokenId: tokenizer.padTokenId, ...multiLabel });
  const validation = data.validation.length > 0 ? tokenizeExamples(data.validation, tokenizer, { maxLength, ...multiLabel }) : undefined;

  const coverage = tokenCoverage(train, vocabulary);
  const origin = vectors === undefined ? 'no pretrained vectors' : `${vocabulary.pretrained} words with vectors from ${vectors.source}, rescaled ×${vocabulary.rescaled.toPrecision(3)} to an RMS of ${embeddingScale(dim).toPrecision(3)}`;
  const trainableRows = rowsIn(train, tokenizer.vocabSize);
  notices.push({
    level: 'info',
    message:
      `Vocabulary: ${vocabulary.words.length} tokens (${origin}, ${vocabulary.random} training words seen ≥ ${MIN_TRAINING_COUNT} times random-initialised, ${PAD_TOKEN}, ${UNK_TOKEN}); ` +
      `${describeCoverage(coverage)}. Words seen once in training, and new words at validation and prediction, are ${UNK_TOKEN}` +
      `${vectors === undefined ? '' : '; words of the vectors that never occur in training keep their vectors, frozen'}. ` +
      `${trainableRows.length} of ${tokenizer.vocabSize} embedding rows occur in the training data and train${wordNgrams > 1 ? ` (${ngramBuckets} buckets of word n-grams up to ${wordNgrams})` : ''}.`,
  });
  if (vectors !== undefined && !lowercase) {
    const inVectors = new Set(vectors.words);
    let caseOnly = 0;
    for (const [word, count] of counts) if (!inVectors.has(word) && inVectors.has(word.toLowerCase())) caseOnly += count;
    if (caseOnly > CASE_MISMATCH_WARNING * coverage.tokens) {
      notices.push({ level: 'warning', message: `${((100 * caseOnly) / coverage.tokens).toFixed(1)}% of training tokens have a vector only when lowercased: the vectors look lowercased; set data.lowercase: true.` });
    }
  }

  const runDecision = configuredDecision(data.multiLabel, training.decision_threshold);
  const classifierConfig: EmbeddingClassifierConfig = {
    vocabSize: vocabulary.words.length,
    wordNgrams,
    ngramBuckets,
    vectorSize: dim,
    pooling: model.pooling,
    hiddenSize: model.hidden_size,
    dropout: model.dropout ?? DEFAULT_DROPOUT,
    labels,
    lowercase,
    maxLength,
    decision: runDecision,
  };
  const rows = embeddingRows(classifierConfig);
  // Only the words' rows: the n-gram buckets start at zero, as the kernel's new memory is (a copy of a
  // million zero rows cost a second).
  const initialState = initialEmbeddingClassifierState(classifierConfig, vocabulary.embeddings, config.seed);
  initialState.set(EMBEDDINGS, { shape: [vocabulary.words.length, dim], data: vocabulary.embeddings });
  const sparse = new SparseModel({
    shape: { rows, dim, pooling: classifierConfig.pooling, hidden: classifierConfig.hiddenSize, labels: labels.length, multiLabel: data.multiLabel },
    train,
    validation,
    trainableRows,
    batchSize: training.batch_size,
    threads: training.threads ?? availableParallelism(),
    beta1: ADAMW_DEFAULTS.beta1,
    beta2: ADAMW_DEFAULTS.beta2,
  });
  sparse.importState(initialState);
  // Pretrained vectors pool to features that differ little between texts next to what they share
  // (the common words' direction): standardised, the head sees them at unit variance and learns in
  // the frozen stage (it barely moved before). Random embeddings have nothing to standardise yet.
  if (vectors !== undefined) await sparse.standardize();
  const head = classifierConfig.hiddenSize > 0 ? `a hidden layer of ${classifierConfig.hiddenSize}` : 'a linear head';
  return {
    training: sparseTraining({
      model: sparse,
      train,
      validation,
      labels,
      training,
      dropout: classifierConfig.dropout,
      seed: config.seed,
      writeFolder: (dir, state, { decision, checkpoint }) => writeEmbeddingClassifierFolder(dir, { ...classifierConfig, decision: decision ?? runDecision }, vocabulary.words, state, { vectors: !checkpoint }),
      readState: async (dir) => {
        let files;
        try {
          files = await readEmbeddingClassifierFiles(dir);
        } catch (error) {
          throw new RunError(`cannot resume from ${dir}: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (files.words.length !== vocabulary.words.length || files.words.some((word, id) => word !== vocabulary.words[id]) || embeddingRows(files.config) !== rows) {
          throw new RunError(`cannot resume from ${dir}: its vocabulary differs from this run's (the data, model.vectors or the n-grams changed since); train afresh`, ['model']);
        }
        return files.state;
      },
      now: () => context.now(),
      progressIntervalMs: context.progressIntervalMs,
    }),
    train,
    validation,
    maxLength,
    description:
      `an embedding classifier: ${rows} × ${dim} embeddings (${vectors === undefined ? 'random' : `from ${vectors.source}`}${wordNgrams > 1 ? `, word n-grams up to ${wordNgrams}` : ''}), ` +
      `${classifierConfig.pooling} pooling (${pooledSize(classifierConfig)} features${vectors === undefined ? '' : ', standardised on the training data'}), ${head}, dropout ${classifierConfig.dropout}`,
    notices,
  };
}
