// Exports a model folder to ONNX in the layout transformers.js and Optimum read: `onnx/model.onnx`
// (float32) and, when asked, `onnx/model_quantized.onnx` (int8 weights; transformers.js' `dtype: 'q8'`),
// beside the folder's config.json, plus the tokenizer.json / tokenizer_config.json transformers.js
// needs when the folder lacks them. Exporters are a table by config.json's model_type; the weights are
// read straight from the folder's file, so exporting needs no TensorFlow.js backend.
import { mkdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import packageJson from '../../package.json';
import { ENCODER_ARCHITECTURES } from '../../common/huggingface/architectures';
import { architectureOf, maxSequenceLength, parseEncoderConfig } from '../../common/huggingface/architectures/encoderConfig';
import { checkpointNamesFor, parameterSpecs } from '../../common/huggingface/architectures/parameterSpecs';
import { ModelFolderError } from '../../common/huggingface/modelFolderFiles';
import { architectureClass, headOfClass } from '../../common/huggingface/pipelineTasks';
import { wordTokenizerConfigJson, wordTokenizerJson } from '../data/wordTokenizerJson';
import { writeFileAtomic } from '../io/atomicWrite';
import { EMBEDDING_CLASSIFIER_MODEL_TYPE } from '../models/embeddingClassifier';
import { CONFIG_FILE, MODEL_FILE, parseEmbeddingClassifierConfig, VOCAB_FILE } from '../models/embeddingClassifierFolder';
import { folderFiles } from '../models/huggingfaceFolder';
import { folderTokenizerJson, readJsonObject } from '../models/modelTokenizer';
import { readModelWeights } from '../models/modelWeights';
import { readSafetensors } from '../models/safetensors';
import { embeddingClassifierGraph } from './embeddingClassifierGraph';
import { encoderGraph, type EncoderTask } from './encoderGraph';
import type { OnnxGraph } from './onnxGraph';
import { FLOAT_WEIGHTS, INT8_WEIGHTS, type WeightEncoding } from './weightEncoding';

export const ONNX_FOLDER = 'onnx';
export const ONNX_MODEL_FILE = 'model.onnx';
export const ONNX_QUANTIZED_FILE = 'model_quantized.onnx';
/** protobuf messages cannot exceed 2 GiB; larger models need ONNX's external-data format, which this exporter does not write. */
const PROTOBUF_LIMIT = 2 ** 31 - 1;

/** What an exporter knows of a folder: how to build its graph, and the tokenizer files transformers.js needs that it lacks. */
interface ExportSource {
  /** For messages: "BERT token classifier". */
  readonly description: string;
  build(weights: WeightEncoding): OnnxGraph;
  readonly missingTokenizerFiles: Readonly<Record<string, Record<string, unknown>>>;
}

type Exporter = (folder: string, config: Record<string, unknown>) => Promise<ExportSource>;

const ONNX_EXPORTERS: Readonly<Record<string, Exporter>> = {
  ...Object.fromEntries(Object.keys(ENCODER_ARCHITECTURES).map((modelType) => [modelType, encoderSource])),
  [EMBEDDING_CLASSIFIER_MODEL_TYPE]: embeddingClassifierSource,
};

export interface OnnxExportOptions {
  /** Also write onnx/model_quantized.onnx. */
  readonly quantize?: boolean;
}

export interface OnnxExportResult {
  readonly description: string;
  /** Absolute paths of the files written: the graphs, then any tokenizer file added. */
  readonly files: string[];
  readonly modelFile: string;
  readonly quantizedFile?: string;
  readonly seconds: number;
}

/** Writes the ONNX files of the model in `folder`; errors say what the folder lacks. */
export async function exportOnnx(folder: string, options: OnnxExportOptions = {}): Promise<OnnxExportResult> {
  const start = performance.now();
  const absolute = path.resolve(folder);
  if (!(await stat(absolute).then((info) => info.isDirectory(), () => false))) throw new ModelFolderError(`${absolute} is not a model folder`);
  const config = await readJsonObject(path.join(absolute, CONFIG_FILE)).catch((error: unknown) => {
    throw error instanceof ModelFolderError && /ENOENT/.test(error.message) ? new ModelFolderError(`${absolute} has no config.json: it is not a model folder`) : error;
  });
  const exporter = typeof config.model_type === 'string' && Object.hasOwn(ONNX_EXPORTERS, config.model_type) ? ONNX_EXPORTERS[config.model_type] : undefined;
  if (exporter === undefined) {
    throw new ModelFolderError(`${path.join(absolute, CONFIG_FILE)}: model_type ${JSON.stringify(config.model_type)} cannot be exported; the exporter knows ${Object.keys(ONNX_EXPORTERS).join(', ')}`);
  }
  const source = await exporter(absolute, config);
  const dir = path.join(absolute, ONNX_FOLDER);
  await mkdir(dir, { recursive: true });
  const metadata = { model_type: String(config.model_type), exported_by: `${packageJson.name} ${packageJson.version}` };
  const write = async (file: string, weights: WeightEncoding): Promise<string> => {
    const bytes = source.build(weights).encode({ name: packageJson.name, version: packageJson.version }, { ...metadata, weights: weights.name });
    if (bytes.length > PROTOBUF_LIMIT) throw new Error(`the ${source.description} is ${bytes.length} bytes as ONNX, over protobuf's 2 GiB limit`);
    const target = path.join(dir, file);
    await writeFileAtomic(target, bytes);
    return target;
  };
  const modelFile = await write(ONNX_MODEL_FILE, FLOAT_WEIGHTS);
  const quantizedFile = options.quantize === true ? await write(ONNX_QUANTIZED_FILE, INT8_WEIGHTS) : undefined;
  const tokenizerFiles: string[] = [];
  for (const [name, json] of Object.entries(source.missingTokenizerFiles)) {
    const target = path.join(absolute, name);
    await writeFileAtomic(target, `${JSON.stringify(json, null, 2)}\n`);
    tokenizerFiles.push(target);
  }
  return {
    description: source.description,
    files: [modelFile, ...(quantizedFile === undefined ? [] : [quantizedFile]), ...tokenizerFiles],
    modelFile,
    ...(quantizedFile === undefined ? {} : { quantizedFile }),
    seconds: (performance.now() - start) / 1000,
  };
}

const TASK_NAMES: Readonly<Record<EncoderTask, string>> = { 'sequence-classification': 'classifier', 'token-classification': 'token classifier', 'masked-lm': 'masked language model' };

/** A BERT-family folder: the head its config.json class names (a classifier run names `…ForSequenceClassification`). */
async function encoderSource(folder: string, json: Record<string, unknown>): Promise<ExportSource> {
  const files = await folderFiles(folder);
  const config = parseEncoderConfig(json, files.config);
  const architecture = architectureOf(config);
  const className = architectureClass(json);
  const head = headOfClass(className ?? architecture.className);
  if (head === undefined) {
    throw new ModelFolderError(`${files.config}: ${className} has no head to export; export a fine-tuned model (${architecture.className}, …ForTokenClassification or …ForMaskedLM)`);
  }
  const { tensors } = await readModelWeights(files.weights, () => true);
  const state = new Map(tensors);
  for (const spec of parameterSpecs(config)) {
    const stored = checkpointNamesFor(spec.name, architecture).find((name) => tensors.has(name));
    if (stored !== undefined) state.set(spec.name, tensors.get(stored)!);
  }
  const tokenizer = await folderTokenizerJson(files, architecture);
  const missing: Record<string, Record<string, unknown>> = {};
  if (files.tokenizerJson === null) missing['tokenizer.json'] = tokenizer.json;
  if (files.tokenizerConfig === null) {
    const special = tokenizer.special;
    missing['tokenizer_config.json'] = {
      ...(architecture.tokens.wordPieceVocab ? { tokenizer_class: 'BertTokenizer', do_lower_case: true } : {}),
      model_max_length: maxSequenceLength(config),
      cls_token: special.cls,
      sep_token: special.sep,
      pad_token: special.pad,
      unk_token: special.unk,
      mask_token: special.mask,
    };
  }
  return {
    description: `${architecture.displayName} ${TASK_NAMES[head.head]}`,
    build: (weights) => encoderGraph(config, state, head.head, weights),
    missingTokenizerFiles: missing,
  };
}

/** The word-vector classifier's folder (embeddingClassifierFolder.ts); its word tokenisation becomes a word-level tokenizer.json. */
async function embeddingClassifierSource(folder: string, json: Record<string, unknown>): Promise<ExportSource> {
  const config = parseEmbeddingClassifierConfig(json, path.join(folder, CONFIG_FILE));
  if (config.wordNgrams > 1) {
    throw new Error(`${folder}: a word-vector classifier with word n-grams (word_ngrams ${config.wordNgrams}) cannot be exported: its hashed n-gram ids are not expressible in a tokenizer.json that other runtimes would read. Train it with word_ngrams: 1 to export it.`);
  }
  const { tensors } = await readSafetensors(path.join(folder, MODEL_FILE));
  const words = (await readFile(path.join(folder, VOCAB_FILE), 'utf8')).split('\n');
  if (words[words.length - 1] === '') words.pop();
  return {
    description: 'word-vector classifier',
    build: (weights) => embeddingClassifierGraph(config, tensors, weights),
    // Always written: the folder's own tokenisation is code (wordTokenizer.ts), not a file.
    missingTokenizerFiles: { 'tokenizer.json': wordTokenizerJson(words, config.lowercase), 'tokenizer_config.json': wordTokenizerConfigJson(config.maxLength) },
  };
}
