import { bertLikeConfigLayout, bertLikeNames, type BertLikeDefaults } from './bert';
import type { EncoderArchitecture } from './encoderArchitecture';

/** RobertaConfig's defaults (XLMRobertaConfig differs in vocab_size), and the tokenizer's bos/eos ids it keeps. */
const ROBERTA_DEFAULTS: BertLikeDefaults = { vocabSize: 50265, hiddenSize: 768, numHiddenLayers: 12, numAttentionHeads: 12, intermediateSize: 3072, padTokenId: 1 };
const BOS_EOS = { bos_token_id: 0, eos_token_id: 2 };

const ROBERTA_SPECIAL_TOKENS = { cls: '<s>', sep: '</s>', pad: '<pad>', unk: '<unk>', mask: '<mask>' };

/**
 * RoBERTa: BERT's encoder and names under `roberta.`, positions numbered after the padding index from
 * the input ids, no pooler in the classifier, a byte-level BPE tokenizer (tokenizer.json).
 */
export const ROBERTA: EncoderArchitecture = {
  modelType: 'roberta',
  displayName: 'RoBERTa',
  className: 'RobertaForSequenceClassification',
  config: bertLikeConfigLayout(ROBERTA_DEFAULTS, BOS_EOS),
  names: bertLikeNames('roberta'),
  positions: 'after-padding',
  head: 'dense-tanh',
  tokens: { special: ROBERTA_SPECIAL_TOKENS, pairSeparators: 2, pairTokenType: false, wordPieceVocab: false },
};

/** XLM-RoBERTa: RoBERTa's model (HF's XLMRoberta classes keep the `roberta.` names) with a SentencePiece (Unigram) tokenizer.json. */
export const XLM_ROBERTA: EncoderArchitecture = {
  ...ROBERTA,
  modelType: 'xlm-roberta',
  displayName: 'XLM-RoBERTa',
  className: 'XLMRobertaForSequenceClassification',
  config: bertLikeConfigLayout({ ...ROBERTA_DEFAULTS, vocabSize: 30522 }, BOS_EOS),
};
