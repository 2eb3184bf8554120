// `model.type: embedding-classifier`: word vectors (or random ones) → pooling → dense head, behind the
// trainer's ClassifierModel interface. The vocabulary is the words of the vectors, the training words
// seen at least twice (random-initialised), [PAD] (row 0, zero, never updated) and [UNK] (zero, trainable).
import type { LabelledData } from '../../data/labelledData';
import { SeededRandom } from '../../data/seededRandom';
import { tokenizeExamples, type TokenizedExamples } from '../../data/tokenizedExamples';
import { PAD_TOKEN, UNK_ID, UNK_TOKEN, WordTokenizer, wordTokens } from '../../data/wordTokenizer';
import { EmbeddingClassifier, pooledSize, type EmbeddingClassifierConfig } from '../../models/embeddingClassifier';
import { readEmbeddingClassifierFolder, writeEmbeddingClassifierFolder } from '../../models/embeddingClassifierFolder';
import { VectorStore, type LoadedVectors } from '../../vectors/vectorStore';
import { RunError } from '../runError';
import type { TrainerContext } from '../trainerContext';
import type { ClassifierModel, Notice, PreparedModel } from './classifierModel';

const DEFAULT_MAX_LENGTH = 128;
const DEFAULT_DROPOUT = 0.1;
/** Training words seen fewer times than this map to [UNK]: a word seen once teaches nothing general. */
const MIN_TRAINING_COUNT = 2;
/** Random rows (training words without a vector) start at this fraction of the vectors' scale: small. */
const RANDOM_SCALE = 0.1;
/** Above this share of tokens matching the vectors only once lowercased, suggest data.lowercase. */
const CASE_MISMATCH_WARNING = 0.05;

export function embeddingClassifierModel(model: EmbeddingClassifier, words: readonly string[]): ClassifierModel {
  return {
    variables: model.variables,
    groups: model.groups,
    frozenFeatures: {
      size: model.pooledSize,
      description: 'the embeddings are frozen, so the pooled token vectors',
      encode: (batch) => model.batchPooled(batch),
      head: (features, training) => model.head(features, training),
    },
    logits: (batch, training) => model.batchLogits(batch, training),
    exportState: () => model.exportState(),
    importState: (state) => model.importState(state),
    writeFolder: (dir, state) => writeEmbeddingClassifierFolder(dir, model, words, state),
    dispose: () => model.dispose(),
  };
}

/** The vocabulary and the initial embedding matrix. */
export interface EmbeddingVocabulary {
  /** [PAD], [UNK], the vectors' words, then the random-initialised training words (most frequent first). */
  readonly words: string[];
  /** Rows 2 … 2 + pretrained − 1 come from the vectors. */
  readonly pretrained: number;
  readonly random: number;
  /** words.length × dim, row-major. */
  readonly embeddings: Float32Array;
  readonly dim: number;
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
  let scale = 1 / Math.sqrt(dim);
  if (vectors !== undefined && pretrained > 0) {
    let squares = 0;
    rows.forEach((row, index) => {
      const from = vectors.vectors.subarray(row * dim, (row + 1) * dim);
      embeddings.set(from, (2 + index) * dim);
      for (const value of from) squares += value * value;
    });
    scale = RANDOM_SCALE * Math.sqrt(squares / (pretrained * dim));
  }
  // Normal(0, scale) by Box–Muller from the run's seed, so the same config gives the same start.
  const random = new SeededRandom(seed, 11);
  for (let i = (2 + pretrained) * dim; i < embeddings.length; i++) {
    const u = 1 - random.nextFloat();
    embeddings[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextFloat());
  }
  return { words, pretrained, random: extra.length, embeddings, dim };
}

/** How the training tokens map: the OOV policy's numbers. */
export interface TokenCoverage {
  readonly tokens: number;
  readonly pretrained: number;
  readonly random: number;
  readonly unknown: number;
}

export function tokenCoverage(examples: TokenizedExamples, vocabulary: Pick<EmbeddingVocabulary, 'pretrained'>): TokenCoverage {
  let pretrained = 0;
  let random = 0;
  let unknown = 0;
  for (const id of examples.tokenIds) {
    if (id === UNK_ID) unknown++;
    else if (id < 2 + vocabulary.pretrained) pretrained++;
    else random++;
  }
  return { tokens: examples.tokenIds.length, pretrained, random, unknown };
}

export function describeCoverage(coverage: TokenCoverage): string {
  const percent = (count: number): string => `${((100 * count) / Math.max(1, coverage.tokens)).toFixed(1)}%`;
  return `${percent(coverage.pretrained)} of training tokens have a pretrained vector, ${percent(coverage.random)} random-initialised, ${percent(coverage.unknown)} [UNK]`;
}

async function loadVectors(target: string): Promise<LoadedVectors> {
  try {
    return await new VectorStore().load(target);
  } catch (error) {
    throw new RunError(`model.vectors: ${error instanceof Error ? error.message : String(error)}`, ['model', 'vectors']);
  }
}

export async function prepareEmbeddingClassifier(context: TrainerContext, data: LabelledData): Promise<PreparedModel> {
  const { config } = context;
  const model = config.model ?? {};
  const notices: Notice[] = [];
  const vectors = model.vectors === undefined ? undefined : await loadVectors(model.vectors);
  if (vectors !== undefined && model.vector_size !== undefined && model.vector_size !== vectors.dim) {
    throw new RunError(`model.vector_size is ${model.vector_size}, but the vectors in ${vectors.source} have ${vectors.dim} dimensions: set vector_size: ${vectors.dim} or leave it out`, ['model', 'vector_size']);
  }
  const dim = vectors?.dim ?? model.vector_size;
  if (dim === undefined) throw new RunError('model.vector_size is required for an embedding-classifier without model.vectors (its embeddings are then random)', ['model']);
  const lowercase = config.data.lowercase ?? false;
  const maxLength = config.data.max_length ?? DEFAULT_MAX_LENGTH;

  const counts = new Map<string, number>();
  for (const example of data.train) for (const word of wordTokens(example.text, { lowercase, maxTokens: maxLength })) counts.set(word, (counts.get(word) ?? 0) + 1);
  const vocabulary = buildEmbeddingVocabulary(vectors, counts, dim, config.seed);
  const tokenizer = new WordTokenizer(vocabulary.words, lowercase);
  const train = tokenizeExamples(data.train, tokenizer, { maxLength });
  const validation = data.validation.length > 0 ? tokenizeExamples(data.validation, tokenizer, { maxLength }) : undefined;

  const coverage = tokenCoverage(train, vocabulary);
  const origin = vectors === undefined ? 'no pretrained vectors' : `${vocabulary.pretrained} words with vectors from ${vectors.source}`;
  notices.push({
    level: 'info',
    message:
      `Vocabulary: ${vocabulary.words.length} tokens (${origin}, ${vocabulary.random} training words seen ≥ ${MIN_TRAINING_COUNT} times random-initialised, ${PAD_TOKEN}, ${UNK_TOKEN}); ` +
      `${describeCoverage(coverage)}. Words seen once in training, and new words at validation and prediction, are ${UNK_TOKEN}.`,
  });
  if (vectors !== undefined && !lowercase) {
    const inVectors = new Set(vectors.words);
    let caseOnly = 0;
    for (const [word, count] of counts) if (!inVectors.has(word) && inVectors.has(word.toLowerCase())) caseOnly += count;
    if (caseOnly > CASE_MISMATCH_WARNING * coverage.tokens) {
      notices.push({ level: 'warning', message: `${((100 * caseOnly) / coverage.tokens).toFixed(1)}% of training tokens have a vector only when lowercased: the vectors look lowercased; set data.lowercase: true.` });
    }
  }

  const classifierConfig: EmbeddingClassifierConfig = {
    vocabSize: vocabulary.words.length,
    vectorSize: dim,
    pooling: model.pooling ?? 'mean',
    hiddenSize: model.hidden_size ?? 0,
    dropout: model.dropout ?? DEFAULT_DROPOUT,
    labels: data.labels.names,
    lowercase,
    maxLength,
  };
  const initial = (): ClassifierModel => embeddingClassifierModel(EmbeddingClassifier.initialised(classifierConfig, vocabulary.embeddings, config.seed), vocabulary.words);
  const head = classifierConfig.hiddenSize > 0 ? `a hidden layer of ${classifierConfig.hiddenSize}` : 'a linear head';
  return {
    model: initial(),
    train,
    validation,
    maxLength,
    description:
      `an embedding classifier: ${vocabulary.words.length} × ${dim} embeddings (${vectors === undefined ? 'random' : `from ${vectors.source}`}), ` +
      `${classifierConfig.pooling} pooling (${pooledSize(classifierConfig)} features), ${head}, dropout ${classifierConfig.dropout}`,
    notices,
    initial: () => Promise.resolve(initial()),
    load: async (dir) => {
      let loaded;
      try {
        loaded = await readEmbeddingClassifierFolder(dir, config.seed);
      } catch (error) {
        throw new RunError(`cannot resume from ${dir}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (loaded.words.length !== vocabulary.words.length || loaded.words.some((word, id) => word !== vocabulary.words[id])) {
        loaded.model.dispose();
        throw new RunError(`cannot resume from ${dir}: its vocabulary differs from this run's (the data or model.vectors changed since); train afresh`, ['model']);
      }
      return embeddingClassifierModel(loaded.model, loaded.words);
    },
  };
}
