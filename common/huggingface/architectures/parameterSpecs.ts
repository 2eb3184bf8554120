// Every parameter of an encoder classifier: its Hugging Face state-dict name (from the architecture's
// names), the module of the shared encoder it fills, its freeze group and its shape.
import { HEAD_PARTS, LAYER_PARTS, type EncoderArchitecture, type LayerPart } from './encoderArchitecture';
import { architectureOf, type EncoderConfig } from './encoderConfig';

/** Name of a group of parameters that a trainer freezes or unfreezes together. */
export type ParameterGroup = 'embeddings' | `encoder.layer.${number}` | 'pooler' | 'classifier';

/** A module of the shared encoder: embeddings, a part of layer N, or a part of the head. */
export type EncoderModule =
  | 'wordEmbeddings'
  | 'positionEmbeddings'
  | 'tokenTypeEmbeddings'
  | 'embeddingsLayerNorm'
  | 'embeddingsProject'
  | `layer.${number}.${LayerPart}`
  | `head.${'pooler' | 'hidden' | 'output'}`;

export interface ParameterSpec {
  /** The Hugging Face name in the architecture's `…ForSequenceClassification` state dict. */
  readonly name: string;
  readonly module: EncoderModule;
  /** A Linear's or LayerNorm's weight, its bias, or an embedding table (`weight`). */
  readonly kind: 'weight' | 'bias';
  readonly group: ParameterGroup;
  /** The shape as stored by Hugging Face (Linear weights [out, in]). */
  readonly shape: readonly number[];
  /** A Linear weight: transposed between Hugging Face's [out, in] and the model's [in, out]. */
  readonly linear: boolean;
}

/** Every parameter, in Hugging Face's state-dict order. */
export function parameterSpecs(config: EncoderConfig): ParameterSpec[] {
  const architecture = architectureOf(config);
  const { names } = architecture;
  const { hiddenSize: h, embeddingSize: e } = config;
  const specs: ParameterSpec[] = [];
  const under = (name: string): string => `${names.prefix}.${name}`;
  const table = (module: EncoderModule, name: string, rows: number, width: number): void => {
    specs.push({ name: `${name}.weight`, module, kind: 'weight', group: 'embeddings', shape: [rows, width], linear: false });
  };
  const pair = (module: EncoderModule, name: string, group: ParameterGroup, weightShape: number[], biasSize: number, linear: boolean): void => {
    specs.push({ name: `${name}.weight`, module, kind: 'weight', group, shape: weightShape, linear });
    specs.push({ name: `${name}.bias`, module, kind: 'bias', group, shape: [biasSize], linear: false });
  };
  const dense = (module: EncoderModule, name: string, group: ParameterGroup, inputs: number, outputs: number): void => pair(module, name, group, [outputs, inputs], outputs, true);
  const norm = (module: EncoderModule, name: string, group: ParameterGroup, width: number): void => pair(module, name, group, [width], width, false);

  table('wordEmbeddings', under(names.wordEmbeddings), config.vocabSize, e);
  table('positionEmbeddings', under(names.positionEmbeddings), config.maxPositionEmbeddings, e);
  if (names.tokenTypeEmbeddings !== null) table('tokenTypeEmbeddings', under(names.tokenTypeEmbeddings), config.typeVocabSize, e);
  norm('embeddingsLayerNorm', under(names.embeddingsLayerNorm), 'embeddings', e);
  if (names.embeddingsProject !== null && e !== h) dense('embeddingsProject', under(names.embeddingsProject), 'embeddings', e, h);
  const layerShapes: Readonly<Record<LayerPart, [number, number] | number>> = {
    query: [h, h],
    key: [h, h],
    value: [h, h],
    attentionOutput: [h, h],
    attentionLayerNorm: h,
    intermediate: [h, config.intermediateSize],
    output: [config.intermediateSize, h],
    outputLayerNorm: h,
  };
  for (let layer = 0; layer < config.numHiddenLayers; layer++) {
    const group: ParameterGroup = `encoder.layer.${layer}`;
    for (const part of LAYER_PARTS) {
      const name = under(`${names.layers}.${layer}.${names.layerParts[part]}`);
      const shape = layerShapes[part];
      if (typeof shape === 'number') norm(`layer.${layer}.${part}`, name, group, shape);
      else dense(`layer.${layer}.${part}`, name, group, shape[0], shape[1]);
    }
  }
  for (const { part, name, underPrefix } of HEAD_PARTS[architecture.head]) {
    const outputs = part === 'output' ? config.id2label.length : h;
    dense(`head.${part}`, underPrefix === true ? under(name) : name, part === 'pooler' ? 'pooler' : 'classifier', h, outputs);
  }
  return specs;
}

/**
 * How many values the encoder's parameters hold (embeddings and layers: what a weights file must
 * have; the head may be initialised fresh), computed from the sizes without listing the parameters,
 * so a config.json that claims ten million layers costs nothing to measure.
 */
export function encoderParameterCount(config: EncoderConfig): number {
  const { names } = architectureOf(config);
  const { hiddenSize: h, embeddingSize: e, intermediateSize: i } = config;
  const embeddings =
    (config.vocabSize + config.maxPositionEmbeddings + (names.tokenTypeEmbeddings === null ? 0 : config.typeVocabSize)) * e +
    2 * e +
    (names.embeddingsProject !== null && e !== h ? e * h + h : 0);
  // query, key, value and attention output; two LayerNorms; the feed-forward pair.
  const layer = 4 * (h * h + h) + 2 * (2 * h) + (h * i + i) + (i * h + h);
  return embeddings + config.numHiddenLayers * layer;
}

/**
 * The names a checkpoint may use for a parameter: base-model checkpoints (`BertModel`, …) have no
 * prefix, and checkpoints converted from the original TensorFlow BERT name LayerNorm parameters gamma/beta.
 */
export function checkpointNamesFor(name: string, architecture: EncoderArchitecture): string[] {
  const prefix = `${architecture.names.prefix}.`;
  const spellings = [name];
  if (name.includes('LayerNorm.')) spellings.push(name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'));
  return spellings.flatMap((spelling) => (spelling.startsWith(prefix) ? [spelling, spelling.slice(prefix.length)] : [spelling]));
}

/** Checkpoint entries that are expected and never used: buffers, not parameters. */
export const IGNORED_CHECKPOINT_NAMES = /(^|\.)embeddings\.(position_ids|token_type_ids)$/;
