/**
 * A `tokenizer.json` (the Hugging Face tokenizers format) for a BERT WordPiece vocabulary, as
 * `BertTokenizerFast` writes it. The tokenizers library reads tokenizer.json only, so a folder that
 * has only `vocab.txt` is tokenised through this; test fixtures write it too.
 */
import { BERT_SPECIAL_TOKENS, type SpecialTokens } from '../../common/huggingface/architectures/encoderArchitecture';

export interface WordPieceOptions {
  /** `do_lower_case` of the tokenizer (true for uncased BERTs, BertTokenizer's default). */
  readonly lowercase: boolean;
  /** `strip_accents`; null follows `lowercase`, as in BertTokenizer. */
  readonly stripAccents?: boolean | null;
  readonly specialTokens?: SpecialTokens;
}

/** Parses vocab.txt: one token per line, the line number is the id (a trailing empty line is not a token). */
export function parseVocabTxt(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function bertTokenizerJson(vocab: readonly string[], options: WordPieceOptions): Record<string, unknown> {
  const special = options.specialTokens ?? BERT_SPECIAL_TOKENS;
  const ids = new Map<string, number>();
  vocab.forEach((token, id) => {
    if (!ids.has(token)) ids.set(token, id);
  });
  const idOf = (token: string): number => {
    const id = ids.get(token);
    if (id === undefined) throw new Error(`the vocabulary has no ${token} token`);
    return id;
  };
  const specialNames = [special.pad, special.unk, special.cls, special.sep, special.mask];
  const addedTokens = specialNames
    .filter((token) => ids.has(token))
    .map((token) => ({ id: idOf(token), content: token, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
    .sort((a, b) => a.id - b.id);
  const cls = { id: special.cls, ids: [idOf(special.cls)], tokens: [special.cls] };
  const sep = { id: special.sep, ids: [idOf(special.sep)], tokens: [special.sep] };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: options.stripAccents ?? null,
      lowercase: options.lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: special.cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: special.sep, type_id: 0 } }],
      pair: [
        { SpecialToken: { id: special.cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: special.sep, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: special.sep, type_id: 1 } },
      ],
      special_tokens: { [special.cls]: cls, [special.sep]: sep },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: special.unk,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(ids),
    },
  };
}

/** The `tokenizer_config.json` that goes with it. */
export function bertTokenizerConfigJson(options: WordPieceOptions & { readonly modelMaxLength: number }): Record<string, unknown> {
  const special = options.specialTokens ?? BERT_SPECIAL_TOKENS;
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: options.lowercase,
    strip_accents: options.stripAccents ?? null,
    tokenize_chinese_chars: true,
    clean_up_tokenization_spaces: true,
    model_max_length: options.modelMaxLength,
    unk_token: special.unk,
    sep_token: special.sep,
    pad_token: special.pad,
    cls_token: special.cls,
    mask_token: special.mask,
  };
}
