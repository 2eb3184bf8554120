import { bertLikeConfigLayout, bertLikeNames } from './bert';
import { BERT_SPECIAL_TOKENS, type EncoderArchitecture } from './encoderArchitecture';

/**
 * ELECTRA's discriminator: BERT's encoder under `electra.`, embeddings of `embedding_size` mapped to
 * the hidden size by `embeddings_project` when the two differ, no pooler, a GELU head.
 */
export const ELECTRA: EncoderArchitecture = {
  modelType: 'electra',
  displayName: 'ELECTRA',
  className: 'ElectraForSequenceClassification',
  config: {
    ...bertLikeConfigLayout({ vocabSize: 30522, hiddenSize: 256, numHiddenLayers: 12, numAttentionHeads: 4, intermediateSize: 1024, padTokenId: 0 }),
    embeddingSize: { key: 'embedding_size', fallback: 128 },
  },
  names: { ...bertLikeNames('electra'), embeddingsProject: 'embeddings_project' },
  positions: 'from-zero',
  head: 'dense-gelu',
  tokens: { special: BERT_SPECIAL_TOKENS, pairSeparators: 1, pairTokenType: true, wordPieceVocab: true },
};
