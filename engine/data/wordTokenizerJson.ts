// The word-vector classifier's tokenisation (wordTokenizer.ts) as a Hugging Face tokenizer.json, so
// transformers.js and the tokenizers libraries split and number words as the engine does: a
// word-level vocabulary, lowercasing when the model was trained lowercased, whitespace split and then
// the engine's word pattern (every non-space character falls in one of its matches, so nothing else
// becomes a piece). No special tokens frame the text; [PAD] pads and [UNK] stands for unknown words.
import { PAD_ID, PAD_TOKEN, TOKEN_PATTERN, UNK_ID, UNK_TOKEN } from './wordTokenizer';

export function wordTokenizerJson(words: readonly string[], lowercase: boolean): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  words.forEach((word, id) => {
    if (!Object.hasOwn(vocab, word)) vocab[word] = id;
  });
  const special = (id: number, content: string): Record<string, unknown> => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(PAD_ID, PAD_TOKEN), special(UNK_ID, UNK_TOKEN)],
    normalizer: lowercase ? { type: 'Lowercase' } : null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Split', pattern: { Regex: TOKEN_PATTERN }, behavior: 'Isolated', invert: false }],
    },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: UNK_TOKEN },
  };
}

/** The tokenizer_config.json beside it: the padding and unknown tokens, and the model's max_length. */
export function wordTokenizerConfigJson(maxLength: number): Record<string, unknown> {
  return { model_max_length: maxLength, pad_token: PAD_TOKEN, unk_token: UNK_TOKEN, clean_up_tokenization_spaces: false };
}
