// The tokenizer of a model folder, through Hugging Face's pure-JavaScript tokenizers (the library
// transformers.js tokenises with): tokenizer.json, or a WordPiece tokenizer.json built from
// vocab.txt. The text is framed with the special tokens of the model's architecture here.
import { readFile } from 'node:fs/promises';
import type { EncoderArchitecture, SpecialTokens } from '../../common/huggingface/architectures/encoderArchitecture';
import { ModelFolderError, type HuggingfaceFolderFiles } from '../../common/huggingface/modelFolderFiles';
import { bertTokenizerJson, parseVocabTxt } from './wordpieceTokenizerJson';

/**
 * The part of @huggingface/tokenizers' `Tokenizer` used here. Its published declarations import
 * their siblings without extensions, which Node16 module resolution cannot follow, so the type is
 * stated here.
 */
interface Tokenizer {
  token_to_id(token: string): number | undefined;
  get_vocab(): Map<string, number>;
  tokenize(text: string): string[];
  encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] };
}
type TokenizerClass = new (tokenizerJson: object, tokenizerConfig: object) => Tokenizer;

/** A sentence batch ready for the model: padded to its longest sequence (dynamic padding). */
export interface TextEncoding {
  readonly inputIds: number[][];
  readonly attentionMask: number[][];
  readonly tokenTypeIds: number[][];
}

/**
 * The model's tokenizer: the library normalises, pre-tokenises and splits into the vocabulary; this
 * class adds the architecture's special tokens itself and truncates the texts, not the framed
 * sequence, so [CLS] … [SEP] (<s> … </s>) survive truncation as in Hugging Face's tokenizers.
 */
export class ModelTokenizer {
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly padTokenId: number;

  constructor(
    private readonly inner: Tokenizer,
    /** How the tokenizer was built, for the user: `tokenizer.json`, or a WordPiece tokenizer built from `vocab.txt`. */
    readonly source: string,
    private readonly architecture: EncoderArchitecture,
    special: SpecialTokens,
    /** tokenizer_config.json `model_max_length`, when it gives a usable one. */
    readonly modelMaxLength: number | undefined,
  ) {
    const idOf = (role: keyof SpecialTokens): number => {
      const id = inner.token_to_id(special[role]);
      if (id === undefined) throw new ModelFolderError(`the tokenizer (${source}) has no ${role} token ${special[role]}, which a ${architecture.displayName} model frames its texts with`);
      return id;
    };
    this.clsTokenId = idOf('cls');
    this.sepTokenId = idOf('sep');
    this.padTokenId = idOf('pad');
  }

  get vocabSize(): number {
    return this.inner.get_vocab().size;
  }

  /** The vocabulary's tokens of one text, without special tokens. */
  tokenize(text: string): string[] {
    return this.inner.tokenize(text);
  }

  /**
   * Encodes a batch as `[CLS] text [SEP]` (with `pairs`, `[CLS] text [SEP] pair [SEP]`, or RoBERTa's
   * `<s> text </s></s> pair </s>`; token type 1 for the pair where the architecture has token types),
   * truncated to `maxLength` tokens the way Hugging Face does (`longest_first`: the longer text loses
   * tokens from its end), padded to the longest sequence of the batch.
   */
  encode(texts: readonly string[], { maxLength, pairs }: { maxLength: number; pairs?: readonly string[] }): TextEncoding {
    if (pairs !== undefined && pairs.length !== texts.length) throw new Error(`${texts.length} texts but ${pairs.length} pairs`);
    const { pairSeparators, pairTokenType } = this.architecture.tokens;
    const specials = pairs === undefined ? 2 : 2 + pairSeparators;
    if (maxLength < specials + 1) throw new Error(`max_length ${maxLength} leaves no room for text beside the special tokens`);
    const sequences = texts.map((text, i) => {
      const first = this.ids(text);
      const pair = pairs?.[i];
      const second = pair === undefined ? null : this.ids(pair);
      let excess = first.length + (second?.length ?? 0) + specials - maxLength;
      while (excess-- > 0) {
        if (second !== null && second.length >= first.length) second.pop();
        else first.pop();
      }
      const head = [this.clsTokenId, ...first, this.sepTokenId];
      const ids = second === null ? head : [...head, ...new Array<number>(pairSeparators - 1).fill(this.sepTokenId), ...second, this.sepTokenId];
      const types = ids.map((_, position) => (pairTokenType && position >= head.length ? 1 : 0));
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

  private ids(text: string): number[] {
    return this.inner.encode(text, { add_special_tokens: false }).ids;
  }
}

/** Loads the tokenizer of a folder for a model of `architecture` (see folderTokenizerJson). */
export async function loadTokenizer(files: HuggingfaceFolderFiles, architecture: EncoderArchitecture): Promise<ModelTokenizer> {
  const { json, config, source, file, special, modelMaxLength } = await folderTokenizerJson(files, architecture);
  return new ModelTokenizer(await buildTokenizer(file, json, config), source, architecture, special, modelMaxLength);
}

export interface FolderTokenizerJson {
  /** tokenizer.json as it is, or one built from vocab.txt (`source` says which). */
  readonly json: Record<string, unknown>;
  /** tokenizer_config.json, `{}` when the folder has none. */
  readonly config: Record<string, unknown>;
  readonly source: string;
  /** The file it came from, for messages. */
  readonly file: string;
  readonly special: SpecialTokens;
  readonly modelMaxLength: number | undefined;
}

/**
 * The tokenizer.json a folder is tokenised with for a model of `architecture`: its own (with
 * tokenizer_config.json when present), or, for a WordPiece architecture with only vocab.txt, a BERT
 * WordPiece tokenizer.json built from it with tokenizer_config.json's casing.
 */
export async function folderTokenizerJson(files: HuggingfaceFolderFiles, architecture: EncoderArchitecture): Promise<FolderTokenizerJson> {
  const config = files.tokenizerConfig === null ? {} : await readJsonObject(files.tokenizerConfig);
  const special = specialTokensFrom(config, architecture.tokens.special);
  const modelMaxLength = typeof config.model_max_length === 'number' && Number.isFinite(config.model_max_length) && config.model_max_length > 2 ? config.model_max_length : undefined;
  if (files.tokenizerJson !== null) {
    return { json: await readJsonObject(files.tokenizerJson), config, source: 'tokenizer.json', file: files.tokenizerJson, special, modelMaxLength };
  }
  if (!architecture.tokens.wordPieceVocab || files.vocabTxt === null) {
    throw new ModelFolderError(`${files.folder}: a ${architecture.displayName} model needs tokenizer.json; vocab.txt is a WordPiece vocabulary, not ${architecture.displayName}'s`);
  }
  const vocabFile = files.vocabTxt;
  const vocab = parseVocabTxt(await readFile(vocabFile, 'utf8'));
  const lowercase = typeof config.do_lower_case === 'boolean' ? config.do_lower_case : true;
  const stripAccents = typeof config.strip_accents === 'boolean' ? config.strip_accents : null;
  try {
    const json = bertTokenizerJson(vocab, { lowercase, stripAccents, specialTokens: special });
    return { json, config, source: 'vocab.txt (as a BERT WordPiece tokenizer)', file: vocabFile, special, modelMaxLength };
  } catch (error) {
    throw new ModelFolderError(`${vocabFile}: ${(error as Error).message}`);
  }
}

/** The library's tokenizer; its errors (an unknown component type, a bad vocabulary) name the file. */
async function buildTokenizer(file: string, json: Record<string, unknown>, config: Record<string, unknown>): Promise<Tokenizer> {
  // The library is an ES module; this file compiles to CommonJS.
  const { Tokenizer } = (await import('@huggingface/tokenizers')) as unknown as { Tokenizer: TokenizerClass };
  try {
    // Components a tokenizer.json may leave out are null, as the Rust library reads them.
    return new Tokenizer({ normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...json }, config);
  } catch (error) {
    throw new ModelFolderError(`${file}: not a tokenizer this engine can read (${(error as Error).message})`);
  }
}

/** A special token as tokenizer_config.json gives it: a string, or (older files) an AddedToken object. */
function specialTokenName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

function specialTokensFrom(config: Record<string, unknown>, defaults: SpecialTokens): SpecialTokens {
  const token = (role: keyof SpecialTokens): string => specialTokenName(config[`${role}_token`]) ?? defaults[role];
  return { cls: token('cls'), sep: token('sep'), pad: token('pad'), unk: token('unk'), mask: token('mask') };
}

export async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ModelFolderError(`${file}: cannot read it as JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFolderError(`${file}: not a JSON object`);
  return json as Record<string, unknown>;
}
