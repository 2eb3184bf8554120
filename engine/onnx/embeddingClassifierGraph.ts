// The word-vector classifier (engine/models/embeddingClassifier.ts) as an ONNX graph: embedding
// lookup, pooling over the real tokens (mean, max or both), the pooled_norm standardisation when the
// folder has one, [dense → ReLU] → classifier. Kept to
// this one function of the folder's config and tensors, so the model's own changes touch one place.
import { embeddingClassifierParameters, POOLED_NORM, type EmbeddingClassifierConfig } from '../models/embeddingClassifier';
import type { FloatTensor } from '../models/safetensors';
import { BATCH, SEQUENCE } from './encoderGraph';
import { OnnxGraph } from './onnxGraph';
import type { WeightEncoding } from './weightEncoding';

/** What max pooling adds to padding positions (the TensorFlow.js model's constant), so they never win. */
const PADDING_FOR_MAX = -1e9;
const FLOAT = 1;

export function embeddingClassifierGraph(config: EmbeddingClassifierConfig, state: ReadonlyMap<string, FloatTensor>, weights: WeightEncoding): OnnxGraph {
  const tensor = (name: string): FloatTensor => {
    const found = state.get(name);
    if (found === undefined) throw new Error(`the weights have no ${name}`);
    return found;
  };
  for (const spec of embeddingClassifierParameters(config)) tensor(spec.name);
  const graph = new OnnxGraph('EmbeddingClassifierForSequenceClassification');
  const inputIds = graph.input('input_ids', 'int64', [BATCH, SEQUENCE]);
  const attentionMask = graph.input('attention_mask', 'int64', [BATCH, SEQUENCE]);
  const tokens = weights.embedding(graph, tensor('embeddings.weight'), inputIds, 'embeddings');
  const mask = graph.node('Unsqueeze', [graph.node('Cast', [attentionMask], { to: FLOAT }), graph.int64s('token_axis', [2])]);
  const parts: string[] = [];
  if (config.pooling !== 'max') {
    const sequenceAxis = graph.int64s('sequence_axis', [1]);
    const sum = graph.node('ReduceSum', [graph.node('Mul', [tokens, mask]), sequenceAxis], { keepdims: 0 });
    const count = graph.node('Max', [graph.node('ReduceSum', [mask, sequenceAxis], { keepdims: 0 }), graph.scalar('one', 1)]);
    parts.push(graph.node('Div', [sum, count]));
  }
  if (config.pooling !== 'mean') {
    const padding = graph.node('Mul', [graph.node('Sub', [graph.scalar('one', 1), mask]), graph.scalar('padding_for_max', PADDING_FOR_MAX)]);
    parts.push(graph.node('ReduceMax', [graph.node('Add', [tokens, padding])], { axes: [1], keepdims: 0 }));
  }
  let x = parts.length === 1 ? parts[0]! : graph.node('Concat', parts, { axis: 1 });
  if (state.has(POOLED_NORM.mean)) {
    const buffer = (name: string): string => graph.initializer(name, tensor(name).data, tensor(name).shape);
    x = graph.node('Mul', [graph.node('Sub', [x, buffer(POOLED_NORM.mean)]), buffer(POOLED_NORM.scale)]);
  }
  if (config.hiddenSize > 0) x = graph.node('Relu', [weights.linear(graph, x, tensor('pre_classifier.weight'), tensor('pre_classifier.bias'), 'pre_classifier')]);
  const logits = weights.linear(graph, x, tensor('classifier.weight'), tensor('classifier.bias'), 'classifier');
  graph.output(graph.node('Identity', [logits], {}, 'logits'), 'float32', [BATCH, config.labels.length]);
  return graph;
}
