// A trained word-vector classifier as a folder: config.json (model_type
// "nlp-studio-embedding-classifier"), vocab.txt (one token per line, the embedding rows' order),
// model.safetensors (torch names and layouts) and vectors.txt, the fine-tuned embeddings in word2vec
// text format for gensim. Runs, checkpoints and best/ all use it; `loadEmbeddingTextClassifier` reads it back.
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PAD_TOKEN, UNK_TOKEN, WordTokenizer } from '../data/wordTokenizer';
import { writeFileAtomic } from '../io/atomicWrite';
import { writeVectorsText } from '../word2vec/vectorsFormat';
import { NGRAM_HASH } from '../data/wordNgrams';
import { decisionConfigJson, decisionFromConfigJson } from './decision';
import {
  EMBEDDING_CLASSIFIER_ARCHITECTURE,
  EMBEDDING_CLASSIFIER_MODEL_TYPE,
  EmbeddingClassifier,
  type EmbeddingClassifierConfig,
  type Pooling,
} from './embeddingClassifier';
import { readSafetensors, writeSafetensors, type FloatTensor } from './safetensors';
import type { ClassifierLogits } from './textClassifier';
import { classLogits, tensorLogits } from './classLogits';

export const CONFIG_FILE = 'config.json';
export const VOCAB_FILE = 'vocab.txt';
export const MODEL_FILE = 'model.safetensors';
export const VECTORS_FILE = 'vectors.txt';
const PREDICT_BATCH = 32;

export function embeddingClassifierConfigJson(config: EmbeddingClassifierConfig): Record<string, unknown> {
  return {
    model_type: EMBEDDING_CLASSIFIER_MODEL_TYPE,
    architectures: [EMBEDDING_CLASSIFIER_ARCHITECTURE],
    id2label: Object.fromEntries(config.labels.map((label, id) => [String(id), label])),
    label2id: Object.fromEntries(config.labels.map((label, id) => [label, id])),
    vocab_size: config.vocabSize,
    ...(config.wordNgrams > 1 ? { word_ngrams: config.wordNgrams, ngram_buckets: config.ngramBuckets, ngram_hash: NGRAM_HASH } : {}),
    vector_size: config.vectorSize,
    pooling: config.pooling,
    hidden_size: config.hiddenSize,
    hidden_act: 'relu',
    dropout: config.dropout,
    lowercase: config.lowercase,
    max_length: config.maxLength,
    tokenizer: 'words',
    pad_token: PAD_TOKEN,
    unk_token: UNK_TOKEN,
    ...decisionConfigJson(config.decision),
  };
}

export function parseEmbeddingClassifierConfig(json: unknown, file: string): EmbeddingClassifierConfig {
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('not a JSON object');
  const object = json as Record<string, unknown>;
  if (object.model_type !== EMBEDDING_CLASSIFIER_MODEL_TYPE) fail(`model_type is ${JSON.stringify(object.model_type)}, not "${EMBEDDING_CLASSIFIER_MODEL_TYPE}"`);
  const integer = (key: string, minimum: number): number => {
    const value = object[key];
    return typeof value === 'number' && Number.isInteger(value) && value >= minimum ? value : fail(`${key} must be an integer ≥ ${minimum}`);
  };
  const id2label = object.id2label;
  if (typeof id2label !== 'object' || id2label === null) return fail('id2label is missing');
  const entries = Object.entries(id2label as Record<string, unknown>);
  const labels = entries.map((_, id) => {
    const label = (id2label as Record<string, unknown>)[String(id)];
    return typeof label === 'string' ? label : fail(`id2label has no label for id ${id}`);
  });
  if (labels.length === 0) fail('id2label is empty');
  const pooling = object.pooling;
  if (pooling !== 'mean' && pooling !== 'max' && pooling !== 'mean-max') fail(`pooling must be mean, max or mean-max; got ${JSON.stringify(pooling)}`);
  const dropout = object.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) fail('dropout must be a number in [0, 1)');
  const wordNgrams = object.word_ngrams === undefined ? 1 : integer('word_ngrams', 1);
  if (wordNgrams > 1 && object.ngram_hash !== NGRAM_HASH) fail(`ngram_hash is ${JSON.stringify(object.ngram_hash)}; this engine hashes n-grams as "${NGRAM_HASH}"`);
  return {
    vocabSize: integer('vocab_size', 2),
    wordNgrams,
    ngramBuckets: wordNgrams > 1 ? integer('ngram_buckets', 1) : 0,
    vectorSize: integer('vector_size', 1),
    pooling: pooling as Pooling,
    hiddenSize: integer('hidden_size', 0),
    dropout: dropout as number,
    labels,
    lowercase: object.lowercase === true,
    maxLength: integer('max_length', 1),
    decision: decisionFromConfigJson(object),
  };
}

/**
 * Writes the classifier `state` (torch names) to `dir` (created when missing). Every file is written
 * atomically, config.json last, so a folder with a config.json is complete. vectors.txt holds the
 * words' rows (not the n-gram buckets) for gensim; checkpoints leave it out (`vectors: false`).
 * Returns the file names.
 */
export async function writeEmbeddingClassifierFolder(
  dir: string,
  config: EmbeddingClassifierConfig,
  words: readonly string[],
  state: ReadonlyMap<string, FloatTensor>,
  { vectors = true }: { vectors?: boolean } = {},
): Promise<string[]> {
  if (words.length !== config.vocabSize) throw new Error(`${words.length} vocabulary words for a vocab_size of ${config.vocabSize}`);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(path.join(dir, VOCAB_FILE), words.map((word) => `${word}\n`).join(''));
  await writeSafetensors(path.join(dir, MODEL_FILE), state, { format: 'pt' });
  const embeddings = state.get('embeddings.weight');
  if (vectors && embeddings === undefined) throw new Error('the state has no embeddings.weight');
  if (vectors && embeddings) await writeVectorsText(path.join(dir, VECTORS_FILE), words, embeddings.data.subarray(0, words.length * config.vectorSize), config.vectorSize);
  await writeFileAtomic(path.join(dir, CONFIG_FILE), `${JSON.stringify(embeddingClassifierConfigJson(config), null, 2)}\n`);
  return [VOCAB_FILE, MODEL_FILE, ...(vectors ? [VECTORS_FILE] : []), CONFIG_FILE];
}

export interface EmbeddingClassifierFiles {
  readonly folder: string;
  readonly config: EmbeddingClassifierConfig;
  readonly words: readonly string[];
  /** The parameters, torch names and layouts. */
  readonly state: ReadonlyMap<string, FloatTensor>;
}

export interface LoadedEmbeddingClassifier extends Omit<EmbeddingClassifierFiles, 'state'> {
  readonly model: EmbeddingClassifier;
}

/** Reads the files of a folder written by `writeEmbeddingClassifierFolder`. */
export async function readEmbeddingClassifierFiles(folder: string): Promise<EmbeddingClassifierFiles> {
  const configFile = path.join(folder, CONFIG_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(configFile, 'utf8'));
  } catch (error) {
    throw new Error(`${configFile}: cannot read it as JSON (${(error as Error).message})`);
  }
  const config = parseEmbeddingClassifierConfig(json, configFile);
  const vocabFile = path.join(folder, VOCAB_FILE);
  const words = (await readFile(vocabFile, 'utf8')).split('\n');
  if (words[words.length - 1] === '') words.pop();
  if (words.length !== config.vocabSize) throw new Error(`${vocabFile}: ${words.length} tokens, but config.json says vocab_size ${config.vocabSize}`);
  const { tensors } = await readSafetensors(path.join(folder, MODEL_FILE));
  return { folder, config, words, state: tensors };
}

/** Reads a folder written by `writeEmbeddingClassifierFolder` as a TensorFlow.js model. */
export async function readEmbeddingClassifierFolder(folder: string, seed?: number): Promise<LoadedEmbeddingClassifier> {
  const { config, words, state } = await readEmbeddingClassifierFiles(folder);
  const model = EmbeddingClassifier.fromState(config, state, { source: path.join(folder, MODEL_FILE), ...(seed === undefined ? {} : { seed }) });
  return { folder, config, words, model };
}

/** The tokenizer a model was trained with (its words, case, n-grams). */
export function embeddingClassifierTokenizer(config: EmbeddingClassifierConfig, words: readonly string[]): WordTokenizer {
  return new WordTokenizer(words, config.lowercase, { maxN: config.wordNgrams, buckets: config.ngramBuckets });
}

/** The logits of `texts` (in label order), tokenised as the model was trained. */
export function embeddingClassifierLogits(model: EmbeddingClassifier, tokenizer: WordTokenizer, texts: readonly string[]): Promise<Float32Array[]> {
  const options = { maxLength: model.config.maxLength, batchSize: PREDICT_BATCH, classCount: model.config.labels.length };
  return classLogits(texts, tokenizer, options, tensorLogits((batch) => model.batchLogits(batch, false)));
}

/** The classifier in `folder` behind the model-type-independent `TextClassifier` interface. */
export async function loadEmbeddingTextClassifier(folder: string): Promise<ClassifierLogits> {
  const loaded = await readEmbeddingClassifierFolder(folder);
  const tokenizer = embeddingClassifierTokenizer(loaded.config, loaded.words);
  await tf.ready();
  return {
    folder,
    modelType: EMBEDDING_CLASSIFIER_MODEL_TYPE,
    labels: loaded.config.labels,
    decision: loaded.config.decision,
    logits: (texts) => embeddingClassifierLogits(loaded.model, tokenizer, texts),
    dispose: () => loaded.model.dispose(),
  };
}
