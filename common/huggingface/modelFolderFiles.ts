// Which files a pretrained model folder in Hugging Face layout must have, stated once for the engine
// (which loads it) and the language server (which checks it as the config is typed). No I/O here.
import * as path from 'node:path';
import type { EncoderArchitecture } from './architectures/encoderArchitecture';

/** A model that cannot be loaded: not a folder, an incomplete folder, or an unusable file in it. */
export class ModelFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFolderError';
  }
}

export const MODEL_FOLDER_FILES = {
  config: 'config.json',
  tokenizerJson: 'tokenizer.json',
  tokenizerConfig: 'tokenizer_config.json',
  vocabTxt: 'vocab.txt',
  safetensors: 'model.safetensors',
  /** `torch.save` of the state dict, read when there is no model.safetensors. */
  pytorch: 'pytorch_model.bin',
} as const;

/**
 * Every file a tokenizer of these architectures may have (WordPiece, byte-level BPE, SentencePiece):
 * fetched from the Hub when the repository has them, and copied unchanged into a fine-tuned folder.
 */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json', 'vocab.txt', 'vocab.json', 'merges.txt', 'sentencepiece.bpe.model'] as const;

/** Weights files the engine reads, best first. */
export const WEIGHTS_FILES = [MODEL_FOLDER_FILES.safetensors, MODEL_FOLDER_FILES.pytorch];

/**
 * The files of a repository listing to download for a model: config.json, every tokenizer file it
 * has, and the first weights file the engine reads (never the TensorFlow, Flax or ONNX copies).
 */
export function modelFilesToFetch(listing: readonly string[]): string[] {
  const present = new Set(listing);
  const weights = WEIGHTS_FILES.find((name) => present.has(name));
  return [MODEL_FOLDER_FILES.config, ...TOKENIZER_FILES, ...(weights === undefined ? [] : [weights])].filter((name) => present.has(name));
}

export const LOCAL_FOLDER_LAYOUT = 'a local folder in Hugging Face layout (config.json, tokenizer.json or vocab.txt, model.safetensors or pytorch_model.bin)';

export interface HuggingfaceFolderFiles {
  readonly folder: string;
  readonly config: string;
  /** model.safetensors, else pytorch_model.bin. */
  readonly weights: string;
  /** tokenizer.json when present, else null (vocab.txt is used). */
  readonly tokenizerJson: string | null;
  readonly tokenizerConfig: string | null;
  readonly vocabTxt: string | null;
}

/** Whether a located folder has the file `name`. */
export function presentIn(files: HuggingfaceFolderFiles): (name: string) => boolean {
  const present = new Set([files.config, files.weights, files.tokenizerJson, files.tokenizerConfig, files.vocabTxt].flatMap((file) => (file === null ? [] : [path.basename(file)])));
  return (name) => present.has(name);
}

/**
 * The files a folder lacks, as a user reads them. Without `architecture` (config.json not read yet)
 * any tokenizer file will do; an architecture whose vocabulary is not WordPiece needs tokenizer.json.
 */
export function missingModelFiles(has: (name: string) => boolean, architecture?: EncoderArchitecture): string[] {
  const files = MODEL_FOLDER_FILES;
  const missing: string[] = [];
  if (!has(files.config)) missing.push(files.config);
  if (architecture !== undefined && !architecture.tokens.wordPieceVocab) {
    if (!has(files.tokenizerJson)) {
      const why = has(files.vocabTxt) ? `: vocab.txt is a WordPiece vocabulary, not ${architecture.displayName}'s` : '';
      missing.push(`${files.tokenizerJson} (${architecture.displayName}'s tokenizer${why})`);
    }
  } else if (!has(files.tokenizerJson) && !has(files.vocabTxt)) {
    missing.push(`${files.tokenizerJson} or ${files.vocabTxt}`);
  }
  if (!has(files.safetensors) && !has(files.pytorch)) missing.push(`${files.safetensors} or ${files.pytorch}`);
  return missing;
}

export function incompleteFolderMessage(folder: string, missing: readonly string[]): string {
  return `The model folder ${folder} is incomplete: missing ${missing.join(', ')}.`;
}
