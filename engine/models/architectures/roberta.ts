import { bertLikeConfigLayout } from './bert';
import { BERT_LAYER_PARTS, type EncoderArchitecture } from './encoderArchitecture';

const ROBERTA_SPECIAL_TOKENS = { cls: '<s>', sep: '</s>', pad: '<pad>', unk: '<unk>', mask: '<mask>' };

/**
 * RoBERTa: BERT's encoder and names under `roberta.`, positions numbered after the padding index from
 * the input ids, no pooler in the classifier, a byte-level BPE tokenizer (tokenizer.json).
 */
export const ROBERTA: EncoderArchitecture = {
  modelType: 'roberta',
  displayName: 'RoBERTa',
  className: 'RobertaForSequenceClassification',
  config: bertLikeConfigLayout(
    { vocabSize: 50265, hiddenSize: 768, numHiddenLayers: 12, numAttentionHeads: 12, intermediateSize: 3072, padTokenId: 1 },
    { bos_token_id: 0, eos_token_id: 2 },
  ),
  names: {
    prefix: 'roberta',
    wordEmbeddings: 'embeddings.word_embeddings',
    positionEmbeddings: 'embeddings.position_embeddings',
    tokenTypeEmbeddings: 'embeddings.token_type_embeddings',
    embeddingsLayerNorm: 'embeddings.LayerNorm',
    embeddingsProject: null,
    layers: 'encoder.layer',
    layerParts: BERT_LAYER_PARTS,
  },
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
  config: bertLikeConfigLayout(
    { vocabSize: 30522, hiddenSize: 768, numHiddenLayers: 12, numAttentionHeads: 12, intermediateSize: 3072, padTokenId: 1 },
    { bos_token_id: 0, eos_token_id: 2 },
  ),
};
