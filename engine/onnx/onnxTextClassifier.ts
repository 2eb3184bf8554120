// A classifier folder with an up-to-date onnx/model.onnx predicts through onnxruntime (native,
// multi-threaded) instead of TensorFlow.js: the same tokenisation, batching and padding as the
// TensorFlow.js path (classLogits), the graph's logits, so no tensor backend is started at all.
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ENCODER_ARCHITECTURES } from '../../common/huggingface/architectures';
import { architectureOf, maxSequenceLength } from '../../common/huggingface/architectures/encoderConfig';
import type { BatchTokenizer } from '../data/tokenizedExamples';
import { classLogits } from '../models/classLogits';
import { EMBEDDING_CLASSIFIER_MODEL_TYPE } from '../models/embeddingClassifier';
import { CONFIG_FILE, embeddingClassifierTokenizer, parseEmbeddingClassifierConfig, VOCAB_FILE } from '../models/embeddingClassifierFolder';
import { folderFiles, readEncoderConfig } from '../models/huggingfaceFolder';
import { loadTokenizer } from '../models/modelTokenizer';
import { decisionFromConfigJson } from '../models/decision';
import { readClassifierFolderConfig, type TextClassifier } from '../models/textClassifier';
import { ONNX_FOLDER, ONNX_MODEL_FILE } from './onnxExport';
import { ONNX_RUNTIME_NAME, OnnxSession, onnxRuntimeVersion } from './onnxSession';

const BATCH_SIZE = 32;

/** What the graph's inputs are made from: the folder's tokenizer, its labels and the longest input. */
interface ClassifierInputs {
  readonly labels: readonly string[];
  readonly tokenizer: BatchTokenizer;
  readonly maxLength: number;
}

/** Each model type's tokenizer, read from the files its TensorFlow.js loader reads (textClassifier.ts). */
const INPUTS: Readonly<Record<string, (folder: string) => Promise<ClassifierInputs>>> = {
  ...Object.fromEntries(
    Object.keys(ENCODER_ARCHITECTURES).map((modelType) => [
      modelType,
      async (folder: string): Promise<ClassifierInputs> => {
        const files = await folderFiles(folder);
        const config = await readEncoderConfig(files.config);
        const tokenizer = await loadTokenizer(files, architectureOf(config));
        return { labels: config.id2label, tokenizer, maxLength: Math.min(tokenizer.modelMaxLength ?? Number.POSITIVE_INFINITY, maxSequenceLength(config)) };
      },
    ]),
  ),
  [EMBEDDING_CLASSIFIER_MODEL_TYPE]: async (folder) => {
    const config = parseEmbeddingClassifierConfig(JSON.parse(await readFile(path.join(folder, CONFIG_FILE), 'utf8')), path.join(folder, CONFIG_FILE));
    const words = (await readFile(path.join(folder, VOCAB_FILE), 'utf8')).split('\n');
    if (words[words.length - 1] === '') words.pop();
    return { labels: config.labels, tokenizer: embeddingClassifierTokenizer(config, words), maxLength: config.maxLength };
  },
};

/** The folder's onnx/model.onnx when it is there and not older than the weights it was exported from. */
export async function currentOnnxModel(folder: string): Promise<string | undefined> {
  const file = path.join(folder, ONNX_FOLDER, ONNX_MODEL_FILE);
  const onnx = await stat(file).catch(() => undefined);
  if (onnx === undefined || !INPUTS[await modelTypeOf(folder)]) return undefined;
  const weights = await Promise.all(['model.safetensors', 'pytorch_model.bin'].map((name) => stat(path.join(folder, name)).catch(() => undefined)));
  return weights.some((info) => info !== undefined && info.mtimeMs > onnx.mtimeMs + 1000) ? undefined : file;
}

async function modelTypeOf(folder: string): Promise<string> {
  const json = JSON.parse(await readFile(path.join(folder, CONFIG_FILE), 'utf8').catch(() => '{}')) as { model_type?: unknown };
  return typeof json.model_type === 'string' ? json.model_type : '';
}

/** The classifier in `folder` answering through onnxruntime on `file`. */
export async function loadOnnxTextClassifier(folder: string, file: string): Promise<Omit<TextClassifier, 'predict'>> {
  const modelType = await modelTypeOf(folder);
  const read = INPUTS[modelType];
  if (read === undefined) throw new Error(`${folder}: no ONNX classifier of model_type ${JSON.stringify(modelType)}`);
  const [{ labels, tokenizer, maxLength }, session, version, { json }] = await Promise.all([read(folder), OnnxSession.open(file), onnxRuntimeVersion(), readClassifierFolderConfig(folder)]);
  return {
    folder,
    modelType,
    labels,
    runtime: `${ONNX_RUNTIME_NAME} ${version} (${path.relative(folder, file)})`,
    decision: decisionFromConfigJson(json),
    logits: (texts) => classLogits(texts, tokenizer, { maxLength, batchSize: BATCH_SIZE, classCount: labels.length }, async (batch) => (await session.logits(batch)).data),
    dispose: () => void session.dispose(),
  };
}
