// A trained text classifier, whatever its architecture: texts in, class probabilities out. Folders
// are loaded through a table keyed by config.json's `model_type`; adding a model type is one row.
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/selectBackend';
import { EMBEDDING_CLASSIFIER_MODEL_TYPE } from './embeddingClassifier';
import { loadEmbeddingTextClassifier } from './embeddingClassifierFolder';
import { bertInputs } from './bert';
import { classProbabilities } from './classProbabilities';
import { decisionFromConfigJson, type Decision } from './decision';
import { loadBertClassifier, ModelFolderError } from './huggingfaceFolder';

export interface TextClassifier {
  readonly folder: string;
  readonly modelType: string;
  readonly labels: readonly string[];
  /** Single-label: the most probable class; multi-label: every label at or over the threshold. */
  readonly decision: Decision;
  /** Probabilities per text, in label order: a softmax over the classes, or each label's sigmoid (multi-label). */
  predict(texts: readonly string[]): Promise<Float32Array[]>;
  dispose(): void;
}

/** Loads the classifier of a folder whose config.json has already been checked (model_type, id2label). */
export type TextClassifierLoader = (folder: string) => Promise<TextClassifier>;

/** Every model type a folder can hold, by config.json's `model_type`. */
export const TEXT_CLASSIFIER_LOADERS: Readonly<Record<string, TextClassifierLoader>> = {
  bert: loadBertTextClassifier,
  [EMBEDDING_CLASSIFIER_MODEL_TYPE]: loadEmbeddingTextClassifier,
};

/** Texts per forward pass: enough to keep the CPU busy, few enough that a long batch stays small. */
const BERT_BATCH_SIZE = 32;
/** Hugging Face's `model_max_length` when tokenizer_config.json gives none (BERT's). */
const DEFAULT_MAX_LENGTH = 512;

export interface ClassifierFolderConfig {
  readonly modelType: string;
  /** config.json as parsed. */
  readonly json: Record<string, unknown>;
}

/**
 * Reads a classifier folder's config.json and checks what every loader needs: a known `model_type`
 * and an `id2label`. Errors say what the folder lacks, in terms of the files a user can look at.
 */
export async function readClassifierFolderConfig(folder: string): Promise<ClassifierFolderConfig> {
  const info = await stat(folder).catch(() => undefined);
  if (info === undefined) throw new ModelFolderError(`The model folder ${folder} does not exist.`);
  if (!info.isDirectory())
    throw new ModelFolderError(`The model ${folder} is a file; a text classifier is a folder (a text-classification run folder or a Hugging Face model folder).`);
  const configFile = path.join(folder, 'config.json');
  let text: string;
  try {
    text = await readFile(configFile, 'utf8');
  } catch {
    throw new ModelFolderError(`${folder} has no config.json: it is not a model folder (train a text-classification run, or give a Hugging Face folder).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFolderError(`${configFile}: cannot read it as JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFolderError(`${configFile}: not a JSON object`);
  const raw = json as Record<string, unknown>;
  const supported = Object.keys(TEXT_CLASSIFIER_LOADERS)
    .map((type) => JSON.stringify(type))
    .join(', ');
  if (typeof raw.model_type !== 'string') throw new ModelFolderError(`${configFile}: no model_type; the supported model types are ${supported}.`);
  if (!Object.hasOwn(TEXT_CLASSIFIER_LOADERS, raw.model_type)) {
    throw new ModelFolderError(
      `${configFile}: model_type ${JSON.stringify(raw.model_type)} is not a text classifier this engine can run; the supported model types are ${supported}.`,
    );
  }
  const id2label = raw.id2label;
  if (typeof id2label !== 'object' || id2label === null || Array.isArray(id2label) || Object.keys(id2label).length === 0) {
    throw new ModelFolderError(`${configFile}: no id2label, so the folder is not a classifier (its class names are unknown).`);
  }
  return { modelType: raw.model_type, json: raw };
}

/** Loads the text classifier in `folder` (made absolute), with the loader its config.json's model_type names. */
export async function loadTextClassifier(folder: string): Promise<TextClassifier> {
  const absolute = path.resolve(folder);
  const { modelType } = await readClassifierFolderConfig(absolute);
  const load = TEXT_CLASSIFIER_LOADERS[modelType] as TextClassifierLoader;
  await ensurePredictionBackend(); // before any loader creates tensors
  return load(absolute);
}

/**
 * The backend predictions compute on: the current one when a run (or an earlier model) already chose
 * it, since switching under live tensors would move them; else the fastest available (`auto`).
 */
export async function ensurePredictionBackend(): Promise<void> {
  if (!tf.engine().backendName) await selectBackend('auto');
  await tf.ready();
}

/** A fine-tuned BERT: tokenised as in training, batched by length with dynamic padding, softmax (or sigmoid, multi-label) of the logits. */
export async function loadBertTextClassifier(folder: string): Promise<TextClassifier> {
  const { model, tokenizer, config } = await loadBertClassifier(folder);
  const decision = decisionFromConfigJson((await readClassifierFolderConfig(folder)).json);
  const declared = (tokenizer.inner as { model_max_length?: unknown }).model_max_length;
  const maxLength = Math.min(typeof declared === 'number' && Number.isFinite(declared) && declared > 2 ? declared : DEFAULT_MAX_LENGTH, config.maxPositionEmbeddings);
  const classCount = config.id2label.length;
  return {
    folder,
    modelType: 'bert',
    labels: config.id2label,
    decision,
    predict: (texts) =>
      // The executor turns a throw (a disposed model, a failing op) into a rejection.
      new Promise<Float32Array[]>((resolve) =>
        resolve(classProbabilities(texts, tokenizer, { maxLength, batchSize: BERT_BATCH_SIZE, classCount, decision }, (batch) => model.forward(bertInputs(batch)).logits)),
      ),
    dispose: () => model.dispose(),
  };
}
