/**
 * config.json of a BERT-family encoder, read through its architecture's layout (the keys and
 * defaults of HF's config class for that `model_type`) into one shape every architecture shares.
 */
import { HIDDEN_ACTIVATIONS, type ConfigField, type ConfigLayout, type EncoderArchitecture, type HiddenActivation } from './encoderArchitecture';
import { ENCODER_ARCHITECTURES, supportedModelTypes } from './index';

export interface EncoderConfig {
  /** config.json `model_type`: the row of ENCODER_ARCHITECTURES. */
  readonly modelType: string;
  readonly vocabSize: number;
  readonly embeddingSize: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly intermediateSize: number;
  readonly hiddenAct: HiddenActivation;
  readonly maxPositionEmbeddings: number;
  /** 0 when the architecture has no token-type embeddings. */
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
  readonly hiddenDropoutProb: number;
  readonly attentionProbsDropoutProb: number;
  /** Dropout in the classification head. */
  readonly classifierDropout: number;
  readonly initializerRange: number;
  readonly padTokenId: number;
  /** Integers config.json carries for the tokenizer (RoBERTa's bos/eos ids), written back on export. */
  readonly keptIntegers: Readonly<Record<string, number>>;
  /** Label names by id; its length is the number of labels. */
  readonly id2label: readonly string[];
}

/** A config.json that cannot be used; the message names the file. */
export class EncoderConfigError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'EncoderConfigError';
  }
}

export type NumericField = Exclude<keyof ConfigLayout, 'hiddenAct' | 'supportedOnly' | 'keptIntegers'>;

/** What each number may be: an integer at least `minimum`, a probability, or a positive number. */
const FIELD_KINDS: Readonly<Record<NumericField, { readonly integer: number } | 'probability' | 'positive'>> = {
  vocabSize: { integer: 1 },
  embeddingSize: { integer: 1 },
  hiddenSize: { integer: 1 },
  numHiddenLayers: { integer: 0 },
  numAttentionHeads: { integer: 1 },
  intermediateSize: { integer: 1 },
  maxPositionEmbeddings: { integer: 1 },
  typeVocabSize: { integer: 1 },
  layerNormEps: 'positive',
  hiddenDropoutProb: 'probability',
  attentionProbsDropoutProb: 'probability',
  classifierDropout: 'probability',
  initializerRange: 'positive',
  padTokenId: { integer: 0 },
};

/** The architecture of a parsed config.json's `model_type` (BERT when it has none, as older BERT configs do). */
export function architectureOf(config: { readonly modelType: string }): EncoderArchitecture {
  const architecture = ENCODER_ARCHITECTURES[config.modelType];
  if (architecture === undefined) throw new Error(`no architecture for model_type ${JSON.stringify(config.modelType)}`);
  return architecture;
}

/** How config.json spells a field (`field` itself for one the architecture fixes or derives). */
export function configKeyOf(layout: ConfigLayout, field: NumericField): string {
  const spec = layout[field];
  return 'key' in spec ? spec.key : field;
}

/** Validates a parsed config.json (`file` is only for messages). */
export function parseEncoderConfig(json: unknown, file: string): EncoderConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new EncoderConfigError(file, 'config.json is not a JSON object');
  const raw = json as Record<string, unknown>;
  const modelType = raw.model_type ?? 'bert';
  if (typeof modelType !== 'string' || !Object.hasOwn(ENCODER_ARCHITECTURES, modelType)) {
    throw new EncoderConfigError(file, `model_type is ${JSON.stringify(modelType)}; the supported model types are ${supportedModelTypes()}`);
  }
  const layout = (ENCODER_ARCHITECTURES[modelType] as EncoderArchitecture).config;
  for (const [key, only] of Object.entries(layout.supportedOnly)) {
    if (raw[key] !== undefined && raw[key] !== only) {
      throw new EncoderConfigError(file, `${key} ${JSON.stringify(raw[key])} is not supported (only ${JSON.stringify(only)})`);
    }
  }

  /** A field's value from config.json (or HF's default), validated; `hidden` for a field that equals the hidden size. */
  const stored = (field: NumericField): number | 'hidden' => {
    const spec: ConfigField = layout[field];
    if ('fixed' in spec) return spec.fixed;
    if ('sameAsHiddenSize' in spec) return 'hidden';
    const value = raw[spec.key] ?? spec.fallback;
    const kind = FIELD_KINDS[field];
    const expected = kind === 'probability' ? 'a number in [0, 1)' : kind === 'positive' ? 'a positive number' : `an integer ≥ ${kind.integer}`;
    const valid =
      typeof value === 'number' &&
      (kind === 'probability' ? value >= 0 && value < 1 : kind === 'positive' ? value > 0 && Number.isFinite(value) : Number.isInteger(value) && value >= kind.integer);
    if (!valid) throw new EncoderConfigError(file, `${spec.key} must be ${expected}, got ${JSON.stringify(value)}`);
    return value;
  };
  const hiddenSize = stored('hiddenSize') as number;
  const read = (field: NumericField): number => {
    const value = stored(field);
    return value === 'hidden' ? hiddenSize : value;
  };
  const keyOf = (field: NumericField): string => configKeyOf(layout, field);

  const numAttentionHeads = read('numAttentionHeads');
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new EncoderConfigError(file, `${keyOf('hiddenSize')} ${hiddenSize} is not a multiple of ${keyOf('numAttentionHeads')} ${numAttentionHeads}`);
  }
  const hiddenAct = raw[layout.hiddenAct.key] ?? layout.hiddenAct.fallback;
  if (typeof hiddenAct !== 'string' || !(HIDDEN_ACTIVATIONS as readonly string[]).includes(hiddenAct)) {
    throw new EncoderConfigError(file, `${layout.hiddenAct.key} ${JSON.stringify(hiddenAct)} is not supported (${HIDDEN_ACTIVATIONS.join(', ')})`);
  }
  const hiddenDropoutProb = read('hiddenDropoutProb');
  const dropoutSpec = layout.classifierDropout;
  const classifierDropout =
    dropoutSpec.nullMeansHiddenDropout === true && 'key' in dropoutSpec && (raw[dropoutSpec.key] === null || raw[dropoutSpec.key] === undefined)
      ? hiddenDropoutProb
      : read('classifierDropout');
  const keptIntegers: Record<string, number> = {};
  for (const [key, fallback] of Object.entries(layout.keptIntegers)) {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new EncoderConfigError(file, `${key} must be an integer ≥ 0, got ${JSON.stringify(value)}`);
    keptIntegers[key] = value;
  }

  return {
    modelType,
    vocabSize: read('vocabSize'),
    embeddingSize: read('embeddingSize'),
    hiddenSize,
    numHiddenLayers: read('numHiddenLayers'),
    numAttentionHeads,
    intermediateSize: read('intermediateSize'),
    hiddenAct: hiddenAct as HiddenActivation,
    maxPositionEmbeddings: read('maxPositionEmbeddings'),
    typeVocabSize: read('typeVocabSize'),
    layerNormEps: read('layerNormEps'),
    hiddenDropoutProb,
    attentionProbsDropoutProb: read('attentionProbsDropoutProb'),
    classifierDropout,
    initializerRange: read('initializerRange'),
    padTokenId: read('padTokenId'),
    keptIntegers,
    id2label: parseLabels(raw, file),
  };
}

/** The longest token sequence the model takes: RoBERTa's positions start after the padding index. */
export function maxSequenceLength(config: EncoderConfig): number {
  return architectureOf(config).positions === 'after-padding' ? config.maxPositionEmbeddings - config.padTokenId - 1 : config.maxPositionEmbeddings;
}

/**
 * Label names by id from `id2label` (keys are decimal strings in config.json), else `num_labels`
 * names LABEL_0…, else HF's default of two labels.
 */
function parseLabels(raw: Record<string, unknown>, file: string): string[] {
  const id2label = raw.id2label;
  if (id2label !== undefined && id2label !== null) {
    if (typeof id2label !== 'object' || Array.isArray(id2label)) throw new EncoderConfigError(file, 'id2label must be an object');
    const entries = Object.entries(id2label as Record<string, unknown>);
    const labels: string[] = new Array<string>(entries.length);
    for (const [key, name] of entries) {
      const id = Number(key);
      if (!Number.isInteger(id) || id < 0 || id >= entries.length || typeof name !== 'string' || labels[id] !== undefined) {
        throw new EncoderConfigError(file, `id2label must map the ids 0…${entries.length - 1} to names; bad entry ${JSON.stringify(key)}: ${JSON.stringify(name)}`);
      }
      labels[id] = name;
    }
    const numLabels = raw.num_labels;
    if (typeof numLabels === 'number' && numLabels !== labels.length) {
      throw new EncoderConfigError(file, `num_labels is ${numLabels} but id2label has ${labels.length} labels`);
    }
    if (labels.length === 0) throw new EncoderConfigError(file, 'id2label is empty');
    return labels;
  }
  const numLabels = raw.num_labels ?? 2;
  if (typeof numLabels !== 'number' || !Number.isInteger(numLabels) || numLabels < 1) {
    throw new EncoderConfigError(file, `num_labels must be a positive integer, got ${JSON.stringify(numLabels)}`);
  }
  return Array.from({ length: numLabels }, (_, id) => `LABEL_${id}`);
}

/** The config as its architecture's config.json fields, for export (`architectures` says what AutoModel builds). */
export function encoderConfigToJson(config: EncoderConfig): Record<string, unknown> {
  const architecture = architectureOf(config);
  const layout = architecture.config;
  const json: Record<string, unknown> = { architectures: [architecture.className], model_type: architecture.modelType };
  for (const field of Object.keys(FIELD_KINDS) as NumericField[]) {
    const spec = layout[field];
    if (!('key' in spec)) continue;
    const nullable = field === 'classifierDropout' && layout.classifierDropout.nullMeansHiddenDropout === true;
    json[spec.key] = nullable && config.classifierDropout === config.hiddenDropoutProb ? null : config[field];
  }
  json[layout.hiddenAct.key] = config.hiddenAct;
  Object.assign(json, layout.supportedOnly, config.keptIntegers);
  json.id2label = Object.fromEntries(config.id2label.map((name, id) => [String(id), name]));
  json.label2id = Object.fromEntries(config.id2label.map((name, id) => [name, id]));
  return json;
}
