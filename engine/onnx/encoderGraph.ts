// A BERT-family encoder with a head as an ONNX graph, the computation of engine/models/encoderClassifier.ts
// (and of Hugging Face's classes) in ONNX operators: embeddings (RoBERTa's positions from the input ids),
// post-LN self-attention layers, then the head of the folder's task. Inputs and output are Optimum's:
// `input_ids`, `attention_mask` (+ `token_type_ids` where the architecture uses token types), int64,
// dynamic `batch_size` × `sequence_length`; output `logits`.
import { LAYER_PARTS, type HeadKind, type HiddenActivation } from '../../common/huggingface/architectures/encoderArchitecture';
import { architectureOf, type EncoderConfig } from '../../common/huggingface/architectures/encoderConfig';
import { parameterSpecs, type EncoderModule } from '../../common/huggingface/architectures/parameterSpecs';
import type { FloatTensor } from '../models/safetensors';
import { OnnxGraph, type Dimension } from './onnxGraph';
import type { WeightEncoding } from './weightEncoding';

/** What the graph ends in: HF's `…ForSequenceClassification`, `…ForTokenClassification` or `…ForMaskedLM`. */
export type EncoderTask = 'sequence-classification' | 'token-classification' | 'masked-lm';

/** The most negative float32, added to the scores of masked keys (as HF does) so softmax gives them 0. */
const MASKED_SCORE = -3.4028234663852886e38;
const FLOAT = 1; // TensorProto.DataType.FLOAT, for Cast
const INT64 = 7;

export const BATCH: Dimension = 'batch_size';
export const SEQUENCE: Dimension = 'sequence_length';

/** The model's tensors by Hugging Face name; missing ones are an error naming them. */
export type NamedTensors = ReadonlyMap<string, FloatTensor>;

/** State-dict names of the masked-LM heads, by model_type (HF's `…ForMaskedLM`); the decoder is tied to the word embeddings when absent. */
export const MASKED_LM_NAMES: Readonly<Record<string, { dense: string; layerNorm: string; decoder: string; bias: string }>> = {
  bert: { dense: 'cls.predictions.transform.dense', layerNorm: 'cls.predictions.transform.LayerNorm', decoder: 'cls.predictions.decoder', bias: 'cls.predictions.bias' },
  distilbert: { dense: 'vocab_transform', layerNorm: 'vocab_layer_norm', decoder: 'vocab_projector', bias: 'vocab_projector.bias' },
  roberta: { dense: 'lm_head.dense', layerNorm: 'lm_head.layer_norm', decoder: 'lm_head.decoder', bias: 'lm_head.bias' },
  'xlm-roberta': { dense: 'lm_head.dense', layerNorm: 'lm_head.layer_norm', decoder: 'lm_head.decoder', bias: 'lm_head.bias' },
};

/** The graph of an encoder with its `task` head, from the tensors of its state dict. */
export function encoderGraph(config: EncoderConfig, state: NamedTensors, task: EncoderTask, weights: WeightEncoding): OnnxGraph {
  const architecture = architectureOf(config);
  const graph = new OnnxGraph(`${architecture.className.replace(/For\w+$/, '')}For${task}`);
  const tensor = (name: string): FloatTensor => {
    const found = state.get(name);
    if (found === undefined) throw new Error(`the weights have no ${name}, which the ${architecture.displayName} ${task} graph needs`);
    return found;
  };
  const modules = new Map<EncoderModule, { weight: string; bias?: string }>();
  for (const spec of parameterSpecs(config)) {
    const entry = modules.get(spec.module) ?? { weight: spec.name };
    modules.set(spec.module, spec.kind === 'weight' ? { ...entry, weight: spec.name } : { ...entry, bias: spec.name });
  }
  const module = (name: EncoderModule): { weight: FloatTensor; bias: FloatTensor | undefined } => {
    const names = modules.get(name);
    if (names === undefined) throw new Error(`${architecture.displayName} has no ${name}`);
    return { weight: tensor(names.weight), bias: names.bias === undefined ? undefined : tensor(names.bias) };
  };
  const linear = (x: string, name: EncoderModule): string => {
    const { weight, bias } = module(name);
    return weights.linear(graph, x, weight, bias, name);
  };
  const norm = (x: string, name: EncoderModule): string => {
    const { weight, bias } = module(name);
    return layerNorm(graph, x, weight, bias!, config.layerNormEps, name);
  };

  const inputIds = graph.input('input_ids', 'int64', [BATCH, SEQUENCE]);
  const attentionMask = graph.input('attention_mask', 'int64', [BATCH, SEQUENCE]);
  const tokenTypeIds = architecture.tokens.pairTokenType ? graph.input('token_type_ids', 'int64', [BATCH, SEQUENCE]) : undefined;

  // Embeddings: word + position (+ token type), LayerNorm; ELECTRA projects them to the hidden size.
  let x = weights.embedding(graph, module('wordEmbeddings').weight, inputIds, 'wordEmbeddings');
  const positions = module('positionEmbeddings').weight;
  x = graph.node('Add', [x, graph.node('Gather', [graph.initializer('positionEmbeddings.weight', positions.data, [...positions.shape]), positionIds(graph, inputIds, config)], { axis: 0 })]);
  if (modules.has('tokenTypeEmbeddings')) {
    const table = module('tokenTypeEmbeddings').weight;
    const types = tokenTypeIds ?? graph.node('Mul', [inputIds, graph.scalar('zero', 0, 'int64')]);
    x = graph.node('Add', [x, graph.node('Gather', [graph.initializer('tokenTypeEmbeddings.weight', table.data, [...table.shape]), types], { axis: 0 })]);
  }
  x = norm(x, 'embeddingsLayerNorm');
  if (modules.has('embeddingsProject')) x = linear(x, 'embeddingsProject');

  // [batch, 1, 1, keys]: 0 for real tokens, the most negative float for padding.
  const notMasked = graph.node('Cast', [attentionMask], { to: FLOAT });
  const additive = graph.node('Mul', [graph.node('Sub', [graph.scalar('one', 1), notMasked]), graph.scalar('masked_score', MASKED_SCORE)]);
  const keyMask = graph.node('Unsqueeze', [additive, graph.int64s('mask_axes', [1, 2])]);

  const heads = config.numAttentionHeads;
  const headSize = config.hiddenSize / heads;
  const splitShape = graph.int64s('split_heads', [0, 0, heads, headSize]);
  const mergedShape = graph.int64s('merge_heads', [0, 0, config.hiddenSize]);
  const scale = graph.scalar('attention_scale', 1 / Math.sqrt(headSize));
  for (let layer = 0; layer < config.numHiddenLayers; layer++) {
    const part = (name: (typeof LAYER_PARTS)[number]): EncoderModule => `layer.${layer}.${name}`;
    const split = (t: string, perm: number[]): string => graph.node('Transpose', [graph.node('Reshape', [t, splitShape])], { perm });
    const query = split(linear(x, part('query')), [0, 2, 1, 3]);
    const keyT = split(linear(x, part('key')), [0, 2, 3, 1]);
    const value = split(linear(x, part('value')), [0, 2, 1, 3]);
    const scores = graph.node('Add', [graph.node('Mul', [graph.node('MatMul', [query, keyT]), scale]), keyMask]);
    const context = graph.node('MatMul', [graph.node('Softmax', [scores], { axis: -1 }), value]);
    const merged = graph.node('Reshape', [graph.node('Transpose', [context], { perm: [0, 2, 1, 3] }), mergedShape]);
    const attended = norm(graph.node('Add', [linear(merged, part('attentionOutput')), x]), part('attentionLayerNorm'));
    const intermediate = activation(graph, linear(attended, part('intermediate')), config.hiddenAct);
    x = norm(graph.node('Add', [linear(intermediate, part('output')), attended]), part('outputLayerNorm'));
  }

  let logits: string;
  let dims: Dimension[];
  if (task === 'sequence-classification') {
    const first = graph.node('Gather', [x, graph.scalar('first_token', 0, 'int64')], { axis: 1 });
    const head = (name: 'pooler' | 'hidden' | 'output', input: string): string => linear(input, `head.${name}`);
    logits = SEQUENCE_HEADS[architecture.head](graph, first, head);
    dims = [BATCH, config.id2label.length];
  } else if (task === 'token-classification') {
    const weight = tensor('classifier.weight');
    logits = weights.linear(graph, x, weight, tensor('classifier.bias'), 'classifier');
    dims = [BATCH, SEQUENCE, weight.shape[0] ?? 0];
  } else {
    const names = MASKED_LM_NAMES[config.modelType];
    if (names === undefined) throw new Error(`a masked-LM graph is built for ${Object.keys(MASKED_LM_NAMES).join(', ')}, not ${config.modelType}`);
    let h = weights.linear(graph, x, tensor(`${names.dense}.weight`), tensor(`${names.dense}.bias`), names.dense);
    h = activation(graph, h, config.hiddenAct);
    h = layerNorm(graph, h, tensor(`${names.layerNorm}.weight`), tensor(`${names.layerNorm}.bias`), config.layerNormEps, names.layerNorm);
    const decoder = state.get(`${names.decoder}.weight`) ?? module('wordEmbeddings').weight;
    logits = weights.linear(graph, h, decoder, state.get(names.bias) ?? state.get(`${names.decoder}.bias`), names.decoder);
    dims = [BATCH, SEQUENCE, decoder.shape[0] ?? 0];
  }
  graph.output(graph.node('Identity', [logits], {}, 'logits'), 'float32', dims);
  return graph;
}

/** Each classification head of HEAD_PARTS on the first token, as its HF class computes it (evaluation mode: no dropout). */
const SEQUENCE_HEADS: Readonly<Record<HeadKind, (graph: OnnxGraph, first: string, dense: (name: 'pooler' | 'hidden' | 'output', x: string) => string) => string>> = {
  pooler: (graph, first, dense) => dense('output', graph.node('Tanh', [dense('pooler', first)])),
  'pre-classifier': (graph, first, dense) => dense('output', graph.node('Relu', [dense('hidden', first)])),
  'dense-tanh': (graph, first, dense) => dense('output', graph.node('Tanh', [dense('hidden', first)])),
  'dense-gelu': (graph, first, dense) => dense('output', activation(graph, dense('hidden', first), 'gelu')),
};

/** Positions 0…length-1 (BERT), or RoBERTa's padding_idx + 1… over the non-padding tokens (padding_idx on padding). */
function positionIds(graph: OnnxGraph, inputIds: string, config: EncoderConfig): string {
  if (architectureOf(config).positions === 'after-padding') {
    const real = graph.node('Cast', [graph.node('Not', [graph.node('Equal', [inputIds, graph.scalar('pad_token_id', config.padTokenId, 'int64')])])], { to: INT64 });
    const counted = graph.node('Mul', [graph.node('CumSum', [real, graph.scalar('sequence_axis', 1, 'int64')]), real]);
    return graph.node('Add', [counted, graph.scalar('padding_idx', config.padTokenId, 'int64')]);
  }
  const length = graph.node('Gather', [graph.node('Shape', [inputIds]), graph.scalar('length_index', 1, 'int64')], { axis: 0 });
  return graph.node('Range', [graph.scalar('position_start', 0, 'int64'), length, graph.scalar('position_step', 1, 'int64')]);
}

function layerNorm(graph: OnnxGraph, x: string, weight: FloatTensor, bias: FloatTensor, epsilon: number, hint: string): string {
  const scale = graph.initializer(`${hint}.weight`, weight.data, [...weight.shape]);
  const shift = graph.initializer(`${hint}.bias`, bias.data, [...bias.shape]);
  return graph.node('LayerNormalization', [x, scale, shift], { axis: -1, epsilon: { float: epsilon } });
}

/** The activations of architectures' `hidden_act`: exact GELU with Erf, the tanh approximation, ReLU. */
function activation(graph: OnnxGraph, x: string, kind: HiddenActivation): string {
  if (kind === 'relu') return graph.node('Relu', [x]);
  const half = graph.scalar('half', 0.5);
  const one = graph.scalar('one', 1);
  if (kind === 'gelu') {
    const erf = graph.node('Erf', [graph.node('Mul', [x, graph.scalar('inverse_sqrt2', Math.SQRT1_2)])]);
    return graph.node('Mul', [graph.node('Mul', [x, graph.node('Add', [erf, one])]), half]);
  }
  const cubed = graph.node('Mul', [graph.node('Mul', [x, x]), x]);
  const inner = graph.node('Mul', [graph.node('Add', [x, graph.node('Mul', [cubed, graph.scalar('gelu_cubic', 0.044715)])]), graph.scalar('sqrt_2_over_pi', Math.sqrt(2 / Math.PI))]);
  return graph.node('Mul', [graph.node('Mul', [x, graph.node('Add', [graph.node('Tanh', [inner]), one])]), half]);
}
