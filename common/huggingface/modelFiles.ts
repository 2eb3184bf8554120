// The files of a pretrained model in Hugging Face layout that NLP Studio reads: what the folder reader
// looks for, what the language server checks, and what a download from the Hub fetches (so a model
// that has weights in five formats costs one of them). One table, stated once.

export const MODEL_CONFIG_FILE = 'config.json';

/** Weights files NLP Studio can read, best first: a folder is complete with one of them. */
export const MODEL_WEIGHTS_FILES = ['model.safetensors', 'pytorch_model.bin'] as const;

/** A tokenizer is complete with one of these (tokenizer.json, or BERT's vocab.txt). */
export const TOKENIZER_MAIN_FILES = ['tokenizer.json', 'vocab.txt'] as const;

/** Small files a tokenizer may also use; fetched when the repository has them. */
export const TOKENIZER_EXTRA_FILES = [
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.json',
  'merges.txt',
  'sentencepiece.bpe.model',
  'spiece.model',
] as const;

/** What a folder listing lacks to be a model NLP Studio can load; empty when it is complete. */
export function missingModelFiles(names: ReadonlySet<string>): string[] {
  const missing: string[] = [];
  if (!names.has(MODEL_CONFIG_FILE)) missing.push(MODEL_CONFIG_FILE);
  if (!TOKENIZER_MAIN_FILES.some((name) => names.has(name))) missing.push(TOKENIZER_MAIN_FILES.join(' or '));
  if (!MODEL_WEIGHTS_FILES.some((name) => names.has(name))) missing.push(MODEL_WEIGHTS_FILES.join(' or '));
  return missing;
}

/**
 * The files of a repository listing to download for a model: config.json, every tokenizer file it
 * has, and the first weights file NLP Studio reads (never the TensorFlow, Flax or ONNX copies).
 */
export function modelFilesToFetch(listing: readonly string[]): string[] {
  const present = new Set(listing);
  const weights = MODEL_WEIGHTS_FILES.find((name) => present.has(name));
  return [MODEL_CONFIG_FILE, ...TOKENIZER_MAIN_FILES, ...TOKENIZER_EXTRA_FILES, ...(weights === undefined ? [] : [weights])].filter((name) => present.has(name));
}
