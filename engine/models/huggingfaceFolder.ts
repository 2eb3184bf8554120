import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { PreTrainedTokenizer } from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import { BertForSequenceClassification, bertParameterSpecs, checkpointNamesFor } from './bert';
import { parseBertConfig, type BertConfig } from './bertConfig';
import { readSafetensors } from './safetensors';
import { bertTokenizerJson, parseVocabTxt, DEFAULT_BERT_SPECIAL_TOKENS, type BertSpecialTokens } from './wordpieceTokenizerJson';

/**
 * Loads a BERT classifier from a local folder in Hugging Face layout: config.json, tokenizer.json or
 * vocab.txt (tokenised by transformers.js, offline), model.safetensors.
 */

/** A model that cannot be loaded: not a folder, an incomplete folder, or an unusable file in it. */
export class ModelFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFolderError';
  }
}

const LOCAL_FOLDER_LAYOUT = 'a local folder in Hugging Face layout (config.json, tokenizer.json or vocab.txt, model.safetensors)';

/** `owner/name` or `name`: what the Hub accepts as a model id. */
const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

export interface HuggingfaceFolderFiles {
  readonly folder: string;
  readonly config: string;
  readonly weights: string;
  /** tokenizer.json when present, else null (vocab.txt is used). */
  readonly tokenizerJson: string | null;
  readonly tokenizerConfig: string | null;
  readonly vocabTxt: string | null;
}

/**
 * Resolves a model reference (a folder path, relative to `baseDir`, or a Hub id) to the files of a
 * local folder. The Hub cannot be reached from here: an id that is not a local folder is an error
 * that says so and names the local-folder option. A folder that lacks files is an error naming them.
 */
export async function locateHuggingfaceFolder(reference: string, baseDir = process.cwd()): Promise<HuggingfaceFolderFiles> {
  const folder = path.resolve(baseDir, reference);
  const kind = await fileKind(folder);
  if (kind !== 'directory') {
    const looksLikePath = path.isAbsolute(reference) || /^\.\.?([/\\]|$)/.test(reference) || reference.includes('\\') || reference.startsWith('~');
    if (kind === 'file') throw new ModelFolderError(`The model ${folder} is a file; it must be ${LOCAL_FOLDER_LAYOUT}.`);
    if (!looksLikePath && HUB_ID.test(reference)) {
      throw new ModelFolderError(
        `'${reference}' is not a local folder, and the Hugging Face Hub cannot be reached from here to download it. ` +
          `Download the model where the Hub is reachable and set the model to ${LOCAL_FOLDER_LAYOUT}; ` +
          `a relative path is resolved against ${baseDir}.`,
      );
    }
    throw new ModelFolderError(`The model folder ${folder} does not exist; the model must be ${LOCAL_FOLDER_LAYOUT}.`);
  }
  const present = async (name: string): Promise<string | null> => ((await fileKind(path.join(folder, name))) === 'file' ? path.join(folder, name) : null);
  const [config, weights, tokenizerJson, tokenizerConfig, vocabTxt] = await Promise.all([
    present('config.json'),
    present('model.safetensors'),
    present('tokenizer.json'),
    present('tokenizer_config.json'),
    present('vocab.txt'),
  ]);
  const missing: string[] = [];
  if (config === null) missing.push('config.json');
  if (tokenizerJson === null && vocabTxt === null) missing.push('tokenizer.json or vocab.txt');
  if (weights === null) {
    const hint = (await present('pytorch_model.bin')) !== null ? ' (pytorch_model.bin is there, but only safetensors can be read: convert it)' : '';
    missing.push(`model.safetensors${hint}`);
  }
  if (config === null || weights === null || missing.length > 0) {
    throw new ModelFolderError(`The model folder ${folder} is incomplete: missing ${missing.join(', ')}.`);
  }
  return { folder, config, weights, tokenizerJson, tokenizerConfig, vocabTxt };
}

/** Reads and validates config.json. */
export async function readBertConfig(file: string): Promise<BertConfig> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ModelFolderError(`${file}: cannot read it as JSON (${(error as Error).message})`);
  }
  return parseBertConfig(json, file);
}

/** A sentence batch ready for the model: padded to its longest sequence (dynamic padding). */
export interface TextEncoding {
  readonly inputIds: number[][];
  readonly attentionMask: number[][];
  readonly tokenTypeIds: number[][];
}

/**
 * The model's tokenizer: transformers.js' tokenizer does the normalisation and WordPiece; this class
 * adds BERT's special tokens itself, because transformers.js truncates after adding them (cutting off
 * the final [SEP]) where Hugging Face's tokenizers truncate the text and keep [CLS] … [SEP].
 */
export class ModelTokenizer {
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly padTokenId: number;

  constructor(
    readonly inner: PreTrainedTokenizer,
    /** How the tokenizer was built, for the user: `tokenizer.json`, or a WordPiece tokenizer built from `vocab.txt`. */
    readonly source: string,
  ) {
    const config = inner.config as Record<string, unknown>;
    const idOf = (key: string, fallback: string): number => {
      const token = specialTokenName(config[key]) ?? fallback;
      const id = inner.convert_tokens_to_ids(token) as number | undefined;
      if (typeof id !== 'number') throw new ModelFolderError(`the tokenizer (${source}) has no ${key.replace('_token', '')} token ${token}`);
      return id;
    };
    this.clsTokenId = idOf('cls_token', '[CLS]');
    this.sepTokenId = idOf('sep_token', '[SEP]');
    this.padTokenId = idOf('pad_token', '[PAD]');
  }

  get vocabSize(): number {
    return this.inner.get_vocab().size;
  }

  /** WordPiece tokens of one text, without special tokens. */
  tokenize(text: string): string[] {
    return this.inner.tokenize(text);
  }

  /**
   * Encodes a batch as `[CLS] text [SEP]` (with `pairs`, `[CLS] text [SEP] pair [SEP]`, token type 1
   * for the pair), truncated to `maxLength` tokens the way Hugging Face does (`longest_first`: the
   * longer text loses tokens from its end), padded to the longest sequence of the batch.
   */
  encode(texts: readonly string[], { maxLength, pairs }: { maxLength: number; pairs?: readonly string[] }): TextEncoding {
    if (pairs !== undefined && pairs.length !== texts.length) throw new Error(`${texts.length} texts but ${pairs.length} pairs`);
    const specials = pairs === undefined ? 2 : 3;
    if (maxLength < specials + 1) throw new Error(`max_length ${maxLength} leaves no room for text beside the special tokens`);
    const sequences = texts.map((text, i) => {
      const first = this.inner.encode(text, { add_special_tokens: false });
      const pair = pairs?.[i];
      const second = pair === undefined ? null : this.inner.encode(pair, { add_special_tokens: false });
      let excess = first.length + (second?.length ?? 0) + specials - maxLength;
      while (excess-- > 0) {
        if (second !== null && second.length >= first.length) second.pop();
        else first.pop();
      }
      const ids = [this.clsTokenId, ...first, this.sepTokenId, ...(second === null ? [] : [...second, this.sepTokenId])];
      const types = ids.map((_, position) => (position < first.length + 2 ? 0 : 1));
      return { ids, types };
    });
    const longest = Math.max(0, ...sequences.map(({ ids }) => ids.length));
    const padded = (row: number[], value: number): number[] => [...row, ...new Array<number>(longest - row.length).fill(value)];
    return {
      inputIds: sequences.map(({ ids }) => padded(ids, this.padTokenId)),
      attentionMask: sequences.map(({ ids }) => padded(ids.map(() => 1), 0)),
      tokenTypeIds: sequences.map(({ types }) => padded(types, 0)),
    };
  }
}

/**
 * Loads the tokenizer of a folder through transformers.js, offline. transformers.js' AutoTokenizer
 * needs tokenizer.json and tokenizer_config.json; when tokenizer_config.json is absent the tokenizer
 * is built from tokenizer.json with BERT's defaults, and when only vocab.txt exists a BERT WordPiece
 * tokenizer.json is built from it (transformers.js cannot read vocab.txt itself).
 */
export async function loadTokenizer(files: HuggingfaceFolderFiles): Promise<ModelTokenizer> {
  const transformers = await import('@huggingface/transformers');
  const tokenizerConfig = files.tokenizerConfig === null ? null : await readJsonObject(files.tokenizerConfig);
  if (files.tokenizerJson !== null && tokenizerConfig !== null) {
    const { env, AutoTokenizer } = transformers;
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    // Nothing to cache for local files; the cache would only be another place to find stale copies.
    env.useFSCache = false;
    // An absolute path is not a Hub id, so transformers.js reads it as is (localModelPath only
    // prefixes ids); pointing localModelPath at the parent keeps even an id-like lookup in the folder.
    env.localModelPath = path.dirname(files.folder);
    const tokenizer = await AutoTokenizer.from_pretrained(files.folder, { local_files_only: true });
    return new ModelTokenizer(tokenizer, 'tokenizer.json');
  }
  const config = tokenizerConfig ?? {};
  const lowercase = typeof config.do_lower_case === 'boolean' ? config.do_lower_case : true;
  const stripAccents = typeof config.strip_accents === 'boolean' ? config.strip_accents : null;
  const special = specialTokensFrom(config);
  const fullConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: lowercase,
    model_max_length: 512,
    unk_token: special.unk,
    sep_token: special.sep,
    pad_token: special.pad,
    cls_token: special.cls,
    mask_token: special.mask,
    ...config,
  };
  if (files.tokenizerJson !== null) {
    return new ModelTokenizer(new transformers.BertTokenizer(await readJsonObject(files.tokenizerJson), fullConfig), 'tokenizer.json');
  }
  const vocabFile = files.vocabTxt as string;
  const vocab = parseVocabTxt(await readFile(vocabFile, 'utf8'));
  let tokenizerJson: Record<string, unknown>;
  try {
    tokenizerJson = bertTokenizerJson(vocab, { lowercase, stripAccents, specialTokens: special });
  } catch (error) {
    throw new ModelFolderError(`${vocabFile}: ${(error as Error).message}`);
  }
  return new ModelTokenizer(new transformers.BertTokenizer(tokenizerJson, fullConfig), 'vocab.txt (as a BERT WordPiece tokenizer)');
}

/** A special token as tokenizer_config.json gives it: a string, or (older files) an AddedToken object. */
function specialTokenName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

function specialTokensFrom(config: Record<string, unknown>): BertSpecialTokens {
  const token = (key: string, fallback: string): string => specialTokenName(config[key]) ?? fallback;
  const d = DEFAULT_BERT_SPECIAL_TOKENS;
  return { unk: token('unk_token', d.unk), sep: token('sep_token', d.sep), pad: token('pad_token', d.pad), cls: token('cls_token', d.cls), mask: token('mask_token', d.mask) };
}

export interface LoadedBertClassifier {
  readonly files: HuggingfaceFolderFiles;
  readonly config: BertConfig;
  readonly model: BertForSequenceClassification;
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

/** Loads config, tokenizer and weights of a local Hugging Face BERT folder. */
export async function loadBertClassifier(reference: string, options: LoadOptions = {}): Promise<LoadedBertClassifier> {
  const files = await locateHuggingfaceFolder(reference, options.baseDir);
  let config = await readBertConfig(files.config);
  if (options.labels !== undefined) {
    if (options.labels.length === 0) throw new ModelFolderError('a classifier needs at least one label');
    config = { ...config, id2label: [...options.labels] };
  }
  const tokenizer = await loadTokenizer(files);
  const tokenizerVocab = tokenizer.vocabSize;
  if (tokenizerVocab > config.vocabSize) {
    throw new ModelFolderError(`${files.folder}: the tokenizer has ${tokenizerVocab} tokens but config.json says vocab_size ${config.vocabSize}`);
  }
  // Read only the tensors the model can use: pretraining heads (cls.*) can be as large as the encoder.
  const wanted = new Set(bertParameterSpecs(config).flatMap((spec) => checkpointNamesFor(spec.name)));
  const { header, tensors: checkpoint } = await readSafetensors(files.weights, (name) => wanted.has(name));
  const unusedNames = [...header.tensors.keys()].filter((name) => !wanted.has(name));
  const { model, notices } = BertForSequenceClassification.fromCheckpoint(config, checkpoint, {
    source: files.weights,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    unused: unusedNames,
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

async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ModelFolderError(`${file}: cannot read it as JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFolderError(`${file}: not a JSON object`);
  return json as Record<string, unknown>;
}
