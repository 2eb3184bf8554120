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
import {
  EMBEDDING_CLASSIFIER_ARCHITECTURE,
  EMBEDDING_CLASSIFIER_MODEL_TYPE,
  EmbeddingClassifier,
  type EmbeddingClassifierConfig,
  type Pooling,
} from './embeddingClassifier';
import { readSafetensors, writeSafetensors, type FloatTensor } from './safetensors';
import type { TextClassifier } from './textClassifier';
import { classProbabilities } from './classProbabilities';

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
  return {
    vocabSize: integer('vocab_size', 2),
    vectorSize: integer('vector_size', 1),
    pooling: pooling as Pooling,
    hiddenSize: integer('hidden_size', 0),
    dropout: dropout as number,
    labels,
    lowercase: object.lowercase === true,
    maxLength: integer('max_length', 1),
  };
}

/**
 * Writes the classifier to `dir` (created when missing), the parameters from `state` when given (else
 * the model's current ones). Every file is written atomically, config.json last, so a folder with a
 * config.json is complete. Returns the file names.
 */
export async function writeEmbeddingClassifierFolder(dir: string, model: EmbeddingClassifier, words: readonly string[], state?: ReadonlyMap<string, FloatTensor>): Promise<string[]> {
  if (words.length !== model.config.vocabSize) throw new Error(`${words.length} vocabulary words for ${model.config.vocabSize} embedding rows`);
  await mkdir(dir, { recursive: true });
  const weights = state ?? (await model.exportState());
  await writeFileAtomic(path.join(dir, VOCAB_FILE), words.map((word) => `${word}\n`).join(''));
  await writeSafetensors(path.join(dir, MODEL_FILE), weights, { format: 'pt' });
  const embeddings = weights.get('embeddings.weight');
  if (embeddings === undefined) throw new Error('the state has no embeddings.weight');
  await writeVectorsText(path.join(dir, VECTORS_FILE), words, embeddings.data, model.config.vectorSize);
  await writeFileAtomic(path.join(dir, CONFIG_FILE), `${JSON.stringify(embeddingClassifierConfigJson(model.config), null, 2)}\n`);
  return [VOCAB_FILE, MODEL_FILE, VECTORS_FILE, CONFIG_FILE];
}

export interface LoadedEmbeddingClassifier {
  readonly folder: string;
  readonly config: EmbeddingClassifierConfig;
  readonly words: readonly string[];
  readonly model: EmbeddingClassifier;
}

/** Reads a folder written by `writeEmbeddingClassifierFolder`. */
export async function readEmbeddingClassifierFolder(folder: string, seed?: number): Promise<LoadedEmbeddingClassifier> {
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
  const weightsFile = path.join(folder, MODEL_FILE);
  const { tensors } = await readSafetensors(weightsFile);
  return { folder, config, words, model: EmbeddingClassifier.fromState(config, tensors, { source: weightsFile, ...(seed === undefined ? {} : { seed }) }) };
}

/** Class probabilities of `texts` (in label order), tokenised as the model was trained. */
export function predictProbabilities(model: EmbeddingClassifier, tokenizer: WordTokenizer, texts: readonly string[]): Promise<Float32Array[]> {
  const options = { maxLength: model.config.maxLength, batchSize: PREDICT_BATCH, classCount: model.config.labels.length };
  return classProbabilities(texts, tokenizer, options, (batch) => model.batchLogits(batch, false));
}

/** The classifier in `folder` behind the model-type-independent `TextClassifier` interface. */
export async function loadEmbeddingTextClassifier(folder: string): Promise<Omit<TextClassifier, 'runtime'>> {
  const loaded = await readEmbeddingClassifierFolder(folder);
  const tokenizer = new WordTokenizer(loaded.words, loaded.config.lowercase);
  await tf.ready();
  return {
    folder,
    modelType: EMBEDDING_CLASSIFIER_MODEL_TYPE,
    labels: loaded.config.labels,
    predict: async (texts) => predictProbabilities(loaded.model, tokenizer, texts),
    dispose: () => loaded.model.dispose(),
  };
}
