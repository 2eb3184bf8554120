/**
 * The fields of a Hugging Face `BertConfig` (config.json) that the TensorFlow.js BERT uses, with the
 * defaults `transformers.BertConfig` applies when a field is absent.
 */

export type HiddenActivation = 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'relu';
const ACTIVATIONS: readonly HiddenActivation[] = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu'];

export interface BertConfig {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly intermediateSize: number;
  readonly hiddenAct: HiddenActivation;
  readonly maxPositionEmbeddings: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
  readonly hiddenDropoutProb: number;
  readonly attentionProbsDropoutProb: number;
  /** Dropout before the classifier; HF uses hidden_dropout_prob when `classifier_dropout` is null. */
  readonly classifierDropout: number;
  readonly initializerRange: number;
  readonly padTokenId: number;
  /** Label names by id; its length is the number of labels. */
  readonly id2label: readonly string[];
}

/** A config.json that cannot be used; the message names the file. */
export class BertConfigError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'BertConfigError';
  }
}

/** Validates a parsed config.json (`file` is only for messages). */
export function parseBertConfig(json: unknown, file: string): BertConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new BertConfigError(file, 'config.json is not a JSON object');
  const raw = json as Record<string, unknown>;
  const modelType = raw.model_type;
  if (modelType !== undefined && modelType !== 'bert') {
    throw new BertConfigError(file, `model_type is ${JSON.stringify(modelType)}; only "bert" models are supported`);
  }
  const positionType = raw.position_embedding_type;
  if (positionType !== undefined && positionType !== 'absolute') {
    throw new BertConfigError(file, `position_embedding_type ${JSON.stringify(positionType)} is not supported (only "absolute")`);
  }

  const integer = (key: string, fallback: number | undefined, minimum: number): number => {
    const value = raw[key] ?? fallback;
    if (value === undefined) throw new BertConfigError(file, `${key} is missing`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
      throw new BertConfigError(file, `${key} must be an integer ≥ ${minimum}, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const probability = (key: string, fallback: number): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
      throw new BertConfigError(file, `${key} must be a number in [0, 1), got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const positive = (key: string, fallback: number): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
      throw new BertConfigError(file, `${key} must be a positive number, got ${JSON.stringify(value)}`);
    }
    return value;
  };

  const hiddenSize = integer('hidden_size', 768, 1);
  const numAttentionHeads = integer('num_attention_heads', 12, 1);
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new BertConfigError(file, `hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numAttentionHeads}`);
  }
  const hiddenAct = raw.hidden_act ?? 'gelu';
  if (typeof hiddenAct !== 'string' || !(ACTIVATIONS as readonly string[]).includes(hiddenAct)) {
    throw new BertConfigError(file, `hidden_act ${JSON.stringify(hiddenAct)} is not supported (${ACTIVATIONS.join(', ')})`);
  }
  const hiddenDropoutProb = probability('hidden_dropout_prob', 0.1);
  const classifierDropout = raw.classifier_dropout === null || raw.classifier_dropout === undefined
    ? hiddenDropoutProb
    : probability('classifier_dropout', hiddenDropoutProb);

  return {
    vocabSize: integer('vocab_size', 30522, 1),
    hiddenSize,
    numHiddenLayers: integer('num_hidden_layers', 12, 0),
    numAttentionHeads,
    intermediateSize: integer('intermediate_size', 3072, 1),
    hiddenAct: hiddenAct as HiddenActivation,
    maxPositionEmbeddings: integer('max_position_embeddings', 512, 1),
    typeVocabSize: integer('type_vocab_size', 2, 1),
    layerNormEps: positive('layer_norm_eps', 1e-12),
    hiddenDropoutProb,
    attentionProbsDropoutProb: probability('attention_probs_dropout_prob', 0.1),
    classifierDropout,
    initializerRange: positive('initializer_range', 0.02),
    padTokenId: integer('pad_token_id', 0, 0),
    id2label: parseLabels(raw, file),
  };
}

/**
 * Label names by id from `id2label` (keys are decimal strings in config.json), else `num_labels`
 * names LABEL_0…, else HF's default of two labels.
 */
function parseLabels(raw: Record<string, unknown>, file: string): string[] {
  const id2label = raw.id2label;
  if (id2label !== undefined && id2label !== null) {
    if (typeof id2label !== 'object' || Array.isArray(id2label)) throw new BertConfigError(file, 'id2label must be an object');
    const entries = Object.entries(id2label as Record<string, unknown>);
    const labels: string[] = new Array<string>(entries.length);
    for (const [key, name] of entries) {
      const id = Number(key);
      if (!Number.isInteger(id) || id < 0 || id >= entries.length || typeof name !== 'string' || labels[id] !== undefined) {
        throw new BertConfigError(file, `id2label must map the ids 0…${entries.length - 1} to names; bad entry ${JSON.stringify(key)}: ${JSON.stringify(name)}`);
      }
      labels[id] = name;
    }
    const numLabels = raw.num_labels;
    if (typeof numLabels === 'number' && numLabels !== labels.length) {
      throw new BertConfigError(file, `num_labels is ${numLabels} but id2label has ${labels.length} labels`);
    }
    if (labels.length === 0) throw new BertConfigError(file, 'id2label is empty');
    return labels;
  }
  const numLabels = raw.num_labels ?? 2;
  if (typeof numLabels !== 'number' || !Number.isInteger(numLabels) || numLabels < 1) {
    throw new BertConfigError(file, `num_labels must be a positive integer, got ${JSON.stringify(numLabels)}`);
  }
  return Array.from({ length: numLabels }, (_, id) => `LABEL_${id}`);
}

/** The config as config.json fields, for export (`architectures` says what AutoModel builds). */
export function bertConfigToJson(config: BertConfig): Record<string, unknown> {
  return {
    architectures: ['BertForSequenceClassification'],
    model_type: 'bert',
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numHiddenLayers,
    num_attention_heads: config.numAttentionHeads,
    intermediate_size: config.intermediateSize,
    hidden_act: config.hiddenAct,
    hidden_dropout_prob: config.hiddenDropoutProb,
    attention_probs_dropout_prob: config.attentionProbsDropoutProb,
    classifier_dropout: config.classifierDropout === config.hiddenDropoutProb ? null : config.classifierDropout,
    max_position_embeddings: config.maxPositionEmbeddings,
    type_vocab_size: config.typeVocabSize,
    initializer_range: config.initializerRange,
    layer_norm_eps: config.layerNormEps,
    pad_token_id: config.padTokenId,
    position_embedding_type: 'absolute',
    id2label: Object.fromEntries(config.id2label.map((name, id) => [String(id), name])),
    label2id: Object.fromEntries(config.id2label.map((name, id) => [name, id])),
  };
}
