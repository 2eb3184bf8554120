import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { isHubReference } from '../../common/huggingface/hubCache';
import { architectureOf, parseEncoderConfig, type EncoderConfig } from '../../common/huggingface/architectures/encoderConfig';
import { checkpointNamesFor, parameterSpecs } from '../../common/huggingface/architectures/parameterSpecs';
import { checkConfigFitsWeights } from '../../common/huggingface/architectures/weightsFit';
import { EncoderClassifier } from './encoderClassifier';
import { readModelWeights } from './modelWeights';
import { readSafetensorsHeader } from './safetensors';
import { incompleteFolderMessage, LOCAL_FOLDER_LAYOUT, MODEL_FOLDER_FILES, missingModelFiles, ModelFolderError, presentIn, type HuggingfaceFolderFiles } from '../../common/huggingface/modelFolderFiles';
import { loadTokenizer, type ModelTokenizer } from './modelTokenizer';

/**
 * Loads a BERT-family classifier (any row of architectures/) from a local folder in Hugging Face
 * layout: config.json, tokenizer.json or vocab.txt, model.safetensors or pytorch_model.bin.
 */

/** `owner/name` or `name`: what the Hub accepts as a model id. */
/**
 * Resolves a folder path (relative to `baseDir`) to the files of a local model folder; a folder that
 * lacks files is an error naming them. Hub ids are resolved before this, through the Hugging Face
 * cache (engine/hub/pretrainedModel.ts): here an id that is not a folder says where they work.
 */
export async function locateHuggingfaceFolder(reference: string, baseDir = process.cwd()): Promise<HuggingfaceFolderFiles> {
  const folder = path.resolve(baseDir, reference);
  const kind = await fileKind(folder);
  if (kind !== 'directory') {
    if (kind === 'file') throw new ModelFolderError(`The model ${folder} is a file; it must be ${LOCAL_FOLDER_LAYOUT}.`);
    if (isHubReference(reference)) {
      throw new ModelFolderError(
        `'${reference}' is not a local folder. A Hub id is read from the Hugging Face cache (and downloaded into it) as a config's model.pretrained; ` +
          `here the model must be ${LOCAL_FOLDER_LAYOUT}, and a relative path is resolved against ${baseDir}.`,
      );
    }
    throw new ModelFolderError(`The model folder ${folder} does not exist; the model must be ${LOCAL_FOLDER_LAYOUT}.`);
  }
  return folderFiles(folder);
}

/** The files of an existing folder; an error naming what is missing when it is incomplete. */
export async function folderFiles(folder: string): Promise<HuggingfaceFolderFiles> {
  const names: string[] = Object.values(MODEL_FOLDER_FILES);
  const kinds = await Promise.all(names.map((name) => fileKind(path.join(folder, name))));
  const present = new Set(names.filter((_, i) => kinds[i] === 'file'));
  const missing = missingModelFiles((name) => present.has(name));
  if (missing.length > 0) throw new ModelFolderError(incompleteFolderMessage(folder, missing));
  const file = (name: string): string | null => (present.has(name) ? path.join(folder, name) : null);
  const files = MODEL_FOLDER_FILES;
  return {
    folder,
    config: path.join(folder, files.config),
    weights: file(files.safetensors) ?? path.join(folder, files.pytorch),
    tokenizerJson: file(files.tokenizerJson),
    tokenizerConfig: file(files.tokenizerConfig),
    vocabTxt: file(files.vocabTxt),
  };
}

/** Reads and validates config.json. */
export async function readEncoderConfig(file: string): Promise<EncoderConfig> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ModelFolderError(`${file}: cannot read it as JSON (${(error as Error).message})`);
  }
  return parseEncoderConfig(json, file);
}

/** The tokenizer of a located folder, for the architecture its config.json names. */
export async function loadFolderTokenizer(files: HuggingfaceFolderFiles): Promise<ModelTokenizer> {
  return loadTokenizer(files, architectureOf(await readEncoderConfig(files.config)));
}

export interface LoadedEncoderClassifier {
  readonly files: HuggingfaceFolderFiles;
  readonly config: EncoderConfig;
  readonly model: EncoderClassifier;
  readonly tokenizer: ModelTokenizer;
  /** What the user should be told: a freshly initialised head, unused checkpoint tensors. */
  readonly notices: string[];
}

export interface LoadOptions {
  /** Resolves relative folder paths (the config file's folder). */
  readonly baseDir?: string;
  /** Label names by id, replacing config.json's; a head of another size is then initialised fresh. */
  readonly labels?: readonly string[];
  /** Seed for freshly initialised parameters. */
  readonly seed?: number;
}

/** Loads config, tokenizer and weights of a local Hugging Face folder of any supported architecture. */
export async function loadEncoderClassifier(reference: string, options: LoadOptions = {}): Promise<LoadedEncoderClassifier> {
  const files = await locateHuggingfaceFolder(reference, options.baseDir);
  let config = await readEncoderConfig(files.config);
  const architecture = architectureOf(config);
  const missing = missingModelFiles(presentIn(files), architecture);
  if (missing.length > 0) throw new ModelFolderError(incompleteFolderMessage(files.folder, missing));
  if (options.labels !== undefined) {
    if (options.labels.length === 0) throw new ModelFolderError('a classifier needs at least one label');
    config = { ...config, id2label: [...options.labels] };
  }
  // A safetensors header is checked first (it is cheap): a damaged file is named as such, not blamed on config.json.
  if (files.weights.endsWith('.safetensors')) await readSafetensorsHeader(files.weights);
  checkConfigFitsWeights(config, files.config, files.weights, (await stat(files.weights)).size);
  const tokenizer = await loadTokenizer(files, architecture);
  const tokenizerVocab = tokenizer.vocabSize;
  if (tokenizerVocab > config.vocabSize) {
    throw new ModelFolderError(`${files.folder}: the tokenizer has ${tokenizerVocab} tokens but config.json says vocab_size ${config.vocabSize}`);
  }
  // Read only the tensors the model can use: pretraining heads (cls.*, lm_head.*) can be as large as the encoder.
  const wanted = new Set(parameterSpecs(config).flatMap((spec) => checkpointNamesFor(spec.name, architecture)));
  const { names, tensors: checkpoint } = await readModelWeights(files.weights, (name) => wanted.has(name));
  const { model, notices } = EncoderClassifier.fromCheckpoint(config, checkpoint, {
    source: files.weights,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    unused: names.filter((name) => !wanted.has(name)),
  });
  return { files, config, model, tokenizer, notices };
}

async function fileKind(target: string): Promise<'file' | 'directory' | 'other' | null> {
  try {
    const info = await stat(target);
    return info.isFile() ? 'file' : info.isDirectory() ? 'directory' : 'other';
  } catch {
    return null;
  }
}
