import { BERT_LAYER_PARTS, BERT_SPECIAL_TOKENS, type ConfigLayout, type EncoderArchitecture, type ParameterNames } from './encoderArchitecture';

/** The numbers of HF's `BertConfig` that another config class may default differently. */
export interface BertLikeDefaults {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly intermediateSize: number;
  readonly padTokenId: number;
}

/** config.json as `BertConfig` spells it (RoBERTa's and ELECTRA's config classes use the same keys). */
export function bertLikeConfigLayout(defaults: BertLikeDefaults, keptIntegers: Readonly<Record<string, number>> = {}): ConfigLayout {
  return {
    vocabSize: { key: 'vocab_size', fallback: defaults.vocabSize },
    embeddingSize: { sameAsHiddenSize: true },
    hiddenSize: { key: 'hidden_size', fallback: defaults.hiddenSize },
    numHiddenLayers: { key: 'num_hidden_layers', fallback: defaults.numHiddenLayers },
    numAttentionHeads: { key: 'num_attention_heads', fallback: defaults.numAttentionHeads },
    intermediateSize: { key: 'intermediate_size', fallback: defaults.intermediateSize },
    maxPositionEmbeddings: { key: 'max_position_embeddings', fallback: 512 },
    typeVocabSize: { key: 'type_vocab_size', fallback: 2 },
    layerNormEps: { key: 'layer_norm_eps', fallback: 1e-12 },
    hiddenDropoutProb: { key: 'hidden_dropout_prob', fallback: 0.1 },
    attentionProbsDropoutProb: { key: 'attention_probs_dropout_prob', fallback: 0.1 },
    classifierDropout: { key: 'classifier_dropout', fallback: 0.1, nullMeansHiddenDropout: true },
    initializerRange: { key: 'initializer_range', fallback: 0.02 },
    padTokenId: { key: 'pad_token_id', fallback: defaults.padTokenId },
    hiddenAct: { key: 'hidden_act', fallback: 'gelu' },
    supportedOnly: { position_embedding_type: 'absolute' },
    keptIntegers,
  };
}

/** BertModel's state-dict names under `prefix` (RoBERTa's and ELECTRA's models keep them). */
export function bertLikeNames(prefix: string): ParameterNames {
  return {
    prefix,
    wordEmbeddings: 'embeddings.word_embeddings',
    positionEmbeddings: 'embeddings.position_embeddings',
    tokenTypeEmbeddings: 'embeddings.token_type_embeddings',
    embeddingsLayerNorm: 'embeddings.LayerNorm',
    embeddingsProject: null,
    layers: 'encoder.layer',
    layerParts: BERT_LAYER_PARTS,
  };
}

export const BERT: EncoderArchitecture = {
  modelType: 'bert',
  displayName: 'BERT',
  className: 'BertForSequenceClassification',
  config: bertLikeConfigLayout({ vocabSize: 30522, hiddenSize: 768, numHiddenLayers: 12, numAttentionHeads: 12, intermediateSize: 3072, padTokenId: 0 }),
  names: bertLikeNames('bert'),
  positions: 'from-zero',
  head: 'pooler',
  tokens: { special: BERT_SPECIAL_TOKENS, pairSeparators: 1, pairTokenType: true, wordPieceVocab: true },
};
