/**
 * What distinguishes one BERT-family encoder from another, as data: a row per config.json
 * `model_type` (architectures/index.ts holds the table). The encoder itself (embeddings, post-LN
 * self-attention layers) is the same computation for all of them; the rows say how config.json
 * spells its sizes, what the state-dict names are, how positions are numbered, which head sits on
 * the first token, and how the tokenizer frames a text. No TensorFlow here: the language server
 * reads the same rows to check a model folder.
 */

export type HiddenActivation = 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'relu';
export const HIDDEN_ACTIVATIONS: readonly HiddenActivation[] = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu'];

/** One number of the config: read from `key` (HF's default when absent), fixed by the architecture, or equal to the hidden size. */
export type ConfigField = { readonly key: string; readonly fallback: number } | { readonly fixed: number } | { readonly sameAsHiddenSize: true };

/** How the architecture's config.json spells each field of EncoderConfig, with the defaults of HF's config class. */
export interface ConfigLayout {
  readonly vocabSize: ConfigField;
  /** Width of the embeddings; ELECTRA's may be smaller than the hidden size (then `embeddings_project` maps it up). */
  readonly embeddingSize: ConfigField;
  readonly hiddenSize: ConfigField;
  readonly numHiddenLayers: ConfigField;
  readonly numAttentionHeads: ConfigField;
  readonly intermediateSize: ConfigField;
  readonly maxPositionEmbeddings: ConfigField;
  /** 0: the architecture has no token-type embeddings (DistilBERT). */
  readonly typeVocabSize: ConfigField;
  readonly layerNormEps: ConfigField;
  readonly hiddenDropoutProb: ConfigField;
  readonly attentionProbsDropoutProb: ConfigField;
  /** Dropout in the head; `nullMeansHiddenDropout`: null or absent means hidden_dropout_prob, as HF's heads read it. */
  readonly classifierDropout: ConfigField & { readonly nullMeansHiddenDropout?: boolean };
  readonly initializerRange: ConfigField;
  readonly padTokenId: ConfigField;
  readonly hiddenAct: { readonly key: string; readonly fallback: HiddenActivation };
  /** Fields whose only supported value is given (checked when present, written on export). */
  readonly supportedOnly: Readonly<Record<string, string | boolean>>;
  /** Further integer fields kept from config.json and written back (the tokenizer's bos/eos ids), with HF's defaults. */
  readonly keptIntegers: Readonly<Record<string, number>>;
}

/** The parts of one encoder layer, in state-dict order. */
export const LAYER_PARTS = ['query', 'key', 'value', 'attentionOutput', 'attentionLayerNorm', 'intermediate', 'output', 'outputLayerNorm'] as const;
export type LayerPart = (typeof LAYER_PARTS)[number];

/** State-dict names (Hugging Face's, without `.weight`/`.bias`). */
export interface ParameterNames {
  /** The base model's attribute in `…ForSequenceClassification` (`bert`, `roberta`, …); base-model checkpoints have the names without it. */
  readonly prefix: string;
  readonly wordEmbeddings: string;
  readonly positionEmbeddings: string;
  /** null: no token-type embeddings. */
  readonly tokenTypeEmbeddings: string | null;
  readonly embeddingsLayerNorm: string;
  /** ELECTRA's Linear from embedding_size to hidden_size, present when they differ. */
  readonly embeddingsProject: string | null;
  /** The encoder layers: `${layers}.${index}.${layerParts[part]}`. */
  readonly layers: string;
  readonly layerParts: Readonly<Record<LayerPart, string>>;
}

/**
 * The classification head on the first token's final hidden state, as each HF class defines it:
 * - `pooler`: BertForSequenceClassification: tanh(pooler.dense(x)) → dropout → classifier;
 * - `pre-classifier`: DistilBertForSequenceClassification: ReLU(pre_classifier(x)) → dropout → classifier;
 * - `dense-tanh`: RobertaClassificationHead: dropout → classifier.dense → tanh → dropout → classifier.out_proj;
 * - `dense-gelu`: ElectraClassificationHead: the same with GELU.
 */
export type HeadKind = 'pooler' | 'pre-classifier' | 'dense-tanh' | 'dense-gelu';

/** How position ids are numbered: 0… (BERT), or padding_idx + 1… counting only non-padding tokens, computed from the input ids (RoBERTa). */
export type PositionNumbering = 'from-zero' | 'after-padding';

export interface SpecialTokens {
  readonly cls: string;
  readonly sep: string;
  readonly pad: string;
  readonly unk: string;
  readonly mask: string;
}

/** How the architecture's tokenizer frames texts (what HF's tokenizer of that model adds). */
export interface TokenConventions {
  /** The special tokens when tokenizer_config.json names none. */
  readonly special: SpecialTokens;
  /** [SEP]s between the two texts of a pair: BERT `[CLS] A [SEP] B [SEP]` has 1, RoBERTa `<s> A </s></s> B </s>` has 2. */
  readonly pairSeparators: 1 | 2;
  /** The second text of a pair has token type 1 (false: every token type is 0, the model has one type or none). */
  readonly pairTokenType: boolean;
  /** vocab.txt is a vocabulary of this architecture (WordPiece): a folder may have it instead of tokenizer.json. */
  readonly wordPieceVocab: boolean;
}

export interface EncoderArchitecture {
  /** config.json's `model_type`. */
  readonly modelType: string;
  /** For messages, e.g. "RoBERTa". */
  readonly displayName: string;
  /** The HF class a fine-tuned folder is written for (config.json `architectures`). */
  readonly className: string;
  readonly config: ConfigLayout;
  readonly names: ParameterNames;
  readonly positions: PositionNumbering;
  readonly head: HeadKind;
  readonly tokens: TokenConventions;
}

/** The state-dict names of each head (without `.weight`/`.bias`); `pooler` is under the encoder's prefix. */
export const HEAD_PARTS: Readonly<Record<HeadKind, readonly { readonly part: 'pooler' | 'hidden' | 'output'; readonly name: string; readonly underPrefix?: boolean }[]>> = {
  pooler: [
    { part: 'pooler', name: 'pooler.dense', underPrefix: true },
    { part: 'output', name: 'classifier' },
  ],
  'pre-classifier': [
    { part: 'hidden', name: 'pre_classifier' },
    { part: 'output', name: 'classifier' },
  ],
  'dense-tanh': [
    { part: 'hidden', name: 'classifier.dense' },
    { part: 'output', name: 'classifier.out_proj' },
  ],
  'dense-gelu': [
    { part: 'hidden', name: 'classifier.dense' },
    { part: 'output', name: 'classifier.out_proj' },
  ],
};

export const BERT_SPECIAL_TOKENS: SpecialTokens = { cls: '[CLS]', sep: '[SEP]', pad: '[PAD]', unk: '[UNK]', mask: '[MASK]' };

/** BERT's layer names, which RoBERTa and ELECTRA share. */
export const BERT_LAYER_PARTS: Readonly<Record<LayerPart, string>> = {
  query: 'attention.self.query',
  key: 'attention.self.key',
  value: 'attention.self.value',
  attentionOutput: 'attention.output.dense',
  attentionLayerNorm: 'attention.output.LayerNorm',
  intermediate: 'intermediate.dense',
  output: 'output.dense',
  outputLayerNorm: 'output.LayerNorm',
};
