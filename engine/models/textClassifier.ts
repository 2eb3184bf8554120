// A trained text classifier, whatever its architecture: texts in, class probabilities out. Folders
// are loaded through a table keyed by config.json's `model_type`; adding a model type is one row.
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/selectBackend';
import { EMBEDDING_CLASSIFIER_MODEL_TYPE } from './embeddingClassifier';
import { loadEmbeddingTextClassifier } from './embeddingClassifierFolder';
import { ENCODER_ARCHITECTURES } from '../../common/huggingface/architectures';
import { maxSequenceLength } from '../../common/huggingface/architectures/encoderConfig';
import { classLogits, tensorLogits } from './classLogits';
import { decisionFromConfigJson, type Decision } from './decision';
import { loadEncoderClassifier } from './huggingfaceFolder';
import { ModelFolderError } from '../../common/huggingface/modelFolderFiles';
import { architectureClass, headOfClass } from '../../common/huggingface/pipelineTasks';
import { currentOnnxModel, loadOnnxTextClassifier } from '../onnx/onnxTextClassifier';
import { finishInterruptedSwap } from '../run/modelSwap';
import { bertClassifierModel } from '../run/classification/bertClassifierModel';
import { probabilitiesOf } from '../training/classifierScores';

export interface TextClassifier {
  readonly folder: string;
  readonly modelType: string;
  readonly labels: readonly string[];
  /** What computes the predictions, for people: "onnxruntime 1.30.0 (onnx/model.onnx)", "TensorFlow.js (wasm)". */
  readonly runtime: string;
  /** Single-label: the most probable class; multi-label: every label at or over the threshold. */
  readonly decision: Decision;
  /** Logits per text, in label order: what the model computes, before the softmax or sigmoid. */
  logits(texts: readonly string[]): Promise<Float32Array[]>;
  /** Probabilities per text, in label order: a softmax over the classes, or each label's sigmoid (multi-label), as classifierScores defines them. */
  predict(texts: readonly string[]): Promise<Float32Array[]>;
  dispose(): void;
}

/** A classifier as each runtime gives it: logits; `loadTextClassifier` adds the probabilities. */
export type ClassifierLogits = Omit<TextClassifier, 'runtime' | 'predict'>;

/** Loads the TensorFlow.js classifier of a folder whose config.json has already been checked (model_type, id2label). */
export type TextClassifierLoader = (folder: string) => Promise<ClassifierLogits>;

/** Every model type a folder can hold, by config.json's `model_type`: each BERT-family architecture, and the word-vector classifier. */
export const TEXT_CLASSIFIER_LOADERS: Readonly<Record<string, TextClassifierLoader>> = {
  ...Object.fromEntries(Object.keys(ENCODER_ARCHITECTURES).map((modelType) => [modelType, loadEncoderTextClassifier])),
  [EMBEDDING_CLASSIFIER_MODEL_TYPE]: loadEmbeddingTextClassifier,
};

/** Texts per forward pass: enough to keep the CPU busy, few enough that a long batch stays small. */
const ENCODER_BATCH_SIZE = 32;

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
  const head = headOfClass(architectureClass(raw));
  if (head !== undefined && head.head !== 'sequence-classification') {
    throw new ModelFolderError(
      `${configFile}: ${architectureClass(raw)} is a ${head.tasks.join('/')} model, not a text classifier; with onnx/model.onnx (nlp-studio export) it runs as a transformers.js pipeline.`,
    );
  }
  const id2label = raw.id2label;
  if (typeof id2label !== 'object' || id2label === null || Array.isArray(id2label) || Object.keys(id2label).length === 0) {
    throw new ModelFolderError(`${configFile}: no id2label, so the folder is not a classifier (its class names are unknown).`);
  }
  return { modelType: raw.model_type, json: raw };
}

/**
 * Loads the text classifier in `folder` (made absolute): through onnxruntime when the folder has an
 * up-to-date onnx/model.onnx, else with the TensorFlow.js loader its config.json's model_type names.
 */
export async function loadTextClassifier(folder: string): Promise<TextClassifier> {
  const absolute = path.resolve(folder);
  await finishInterruptedSwap(absolute);
  const { modelType } = await readClassifierFolderConfig(absolute);
  const onnx = await currentOnnxModel(absolute);
  if (onnx !== undefined) return withProbabilities(await loadOnnxTextClassifier(absolute, onnx));
  const load = TEXT_CLASSIFIER_LOADERS[modelType] as TextClassifierLoader;
  await ensurePredictionBackend(); // before any loader creates tensors
  return withProbabilities({ ...(await load(absolute)), runtime: `TensorFlow.js (${tf.getBackend()})` });
}

function withProbabilities(classifier: Omit<TextClassifier, 'predict'>): TextClassifier {
  return {
    ...classifier,
    predict: async (texts) => (await classifier.logits(texts)).map((row) => probabilitiesOf(row, classifier.decision)),
  };
}

/**
 * The backend predictions compute on: the current one when a run (or an earlier model) already chose
 * it, since switching under live tensors would move them; else the fastest available (`auto`).
 */
export async function ensurePredictionBackend(): Promise<void> {
  if (!tf.engine().backendName) await selectBackend('auto');
  await tf.ready();
}

/** A fine-tuned BERT-family model: tokenised as in training, batched by length with dynamic padding, its logits those the trainer validates on. */
export async function loadEncoderTextClassifier(folder: string): Promise<ClassifierLogits> {
  const { model: encoder, tokenizer, config, files } = await loadEncoderClassifier(folder);
  const model = bertClassifierModel(encoder, files);
  const decision = decisionFromConfigJson((await readClassifierFolderConfig(folder)).json);
  // tokenizer_config.json's model_max_length, within the positions the model has.
  const maxLength = Math.min(tokenizer.modelMaxLength ?? Number.POSITIVE_INFINITY, maxSequenceLength(config));
  const classCount = config.id2label.length;
  return {
    folder,
    modelType: config.modelType,
    labels: config.id2label,
    decision,
    logits: (texts) => classLogits(texts, tokenizer, { maxLength, batchSize: ENCODER_BATCH_SIZE, classCount }, tensorLogits((batch) => model.logits(batch, false))),
    dispose: () => model.dispose(),
  };
}
