import * as tf from '@tensorflow/tfjs';
import type { TokenBatch } from '../data/tokenBatches';
import type { BertConfig } from './bertConfig';
import { addSameShape, checkpointed, divideByConstant, dropout as fusedDropout, geluErf, layerNorm, linear, maskedSoftmax } from './fusedOps';
import type { FloatTensor } from './safetensors';

/**
 * BERT for sequence classification in TensorFlow.js, numerically faithful to Hugging Face's
 * `BertForSequenceClassification`: word + position + token-type embeddings and LayerNorm, post-LN
 * encoder layers (self-attention, GELU feed-forward), a tanh pooler on [CLS], dropout + dense head.
 *
 * Parameters are `tf.Variable`s keyed by their Hugging Face names (with the `bert.` prefix) and
 * grouped (embeddings, each encoder layer, pooler, classifier) so a trainer can freeze groups. Dense
 * kernels are stored [in, out]; PyTorch's Linear stores [out, in], so they are transposed on load and
 * back on export.
 */

/** Name of a group of parameters that a trainer freezes or unfreezes together. */
export type BertParameterGroup = 'embeddings' | `encoder.layer.${number}` | 'pooler' | 'classifier';

interface ParameterSpec {
  /** The Hugging Face name in a `BertForSequenceClassification` state dict. */
  readonly name: string;
  readonly group: BertParameterGroup;
  /** The shape as stored by Hugging Face (Linear weights [out, in]). */
  readonly shape: readonly number[];
  /** A Linear weight: transposed between Hugging Face's [out, in] and this model's [in, out]. */
  readonly linear: boolean;
}

/** Every parameter of the model, in Hugging Face's state-dict order. */
export function bertParameterSpecs(config: BertConfig): ParameterSpec[] {
  const { hiddenSize: h, intermediateSize: ffn } = config;
  const specs: ParameterSpec[] = [];
  const add = (name: string, group: BertParameterGroup, shape: number[], linear = false): void => {
    specs.push({ name, group, shape, linear });
  };
  const dense = (prefix: string, group: BertParameterGroup, inputs: number, outputs: number): void => {
    add(`${prefix}.weight`, group, [outputs, inputs], true);
    add(`${prefix}.bias`, group, [outputs]);
  };
  const layerNorm = (prefix: string, group: BertParameterGroup): void => {
    add(`${prefix}.weight`, group, [h]);
    add(`${prefix}.bias`, group, [h]);
  };
  add('bert.embeddings.word_embeddings.weight', 'embeddings', [config.vocabSize, h]);
  add('bert.embeddings.position_embeddings.weight', 'embeddings', [config.maxPositionEmbeddings, h]);
  add('bert.embeddings.token_type_embeddings.weight', 'embeddings', [config.typeVocabSize, h]);
  layerNorm('bert.embeddings.LayerNorm', 'embeddings');
  for (let layer = 0; layer < config.numHiddenLayers; layer++) {
    const prefix = `bert.encoder.layer.${layer}`;
    const group: BertParameterGroup = `encoder.layer.${layer}`;
    dense(`${prefix}.attention.self.query`, group, h, h);
    dense(`${prefix}.attention.self.key`, group, h, h);
    dense(`${prefix}.attention.self.value`, group, h, h);
    dense(`${prefix}.attention.output.dense`, group, h, h);
    layerNorm(`${prefix}.attention.output.LayerNorm`, group);
    dense(`${prefix}.intermediate.dense`, group, h, ffn);
    dense(`${prefix}.output.dense`, group, ffn, h);
    layerNorm(`${prefix}.output.LayerNorm`, group);
  }
  dense('bert.pooler.dense', 'pooler', h, h);
  dense('classifier', 'classifier', h, config.id2label.length);
  return specs;
}

/**
 * The names a checkpoint may use for a parameter: `BertModel` checkpoints have no `bert.` prefix, and
 * checkpoints converted from the original TensorFlow BERT name LayerNorm parameters gamma/beta.
 */
export function checkpointNamesFor(name: string): string[] {
  const names = [name];
  if (name.startsWith('bert.')) names.push(name.slice('bert.'.length));
  if (name.includes('LayerNorm.')) {
    const legacy = name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta');
    names.push(legacy);
    if (legacy.startsWith('bert.')) names.push(legacy.slice('bert.'.length));
  }
  return names;
}

/** Checkpoint entries that are expected and never used: buffers, not parameters. */
const IGNORED_CHECKPOINT_NAMES = /(^|\.)embeddings\.position_ids$/;

export interface BertLoadResult {
  readonly model: BertForSequenceClassification;
  /** Things the caller should tell the user: a freshly initialised head or pooler, unused weights. */
  readonly notices: string[];
}

export interface BertOptions {
  /** Seed for freshly initialised parameters (a missing head or pooler). */
  readonly seed?: number;
  /** Where the weights came from, for messages. */
  readonly source?: string;
  /** Checkpoint tensors the caller did not read because no parameter uses them (reported as unused). */
  readonly unused?: readonly string[];
}

export interface BertInputs {
  /** Token ids, [batch, sequence], int32. */
  readonly inputIds: tf.Tensor2D;
  /** 1 for real tokens, 0 for padding, [batch, sequence]; all ones when absent. */
  readonly attentionMask?: tf.Tensor2D;
  /** Segment ids, [batch, sequence], int32; all zeros when absent. */
  readonly tokenTypeIds?: tf.Tensor2D;
}

/** A type, not an interface, so `tf.tidy(() => model.forward(x))` type-checks (tidy wants a TensorContainer). */
export type BertOutputs = {
  /** [batch, sequence, hidden] */
  readonly lastHiddenState: tf.Tensor3D;
  /** tanh(dense([CLS])), [batch, hidden] */
  readonly pooledOutput: tf.Tensor2D;
  /** [batch, labels] */
  readonly logits: tf.Tensor2D;
};

interface Dense {
  readonly kernel: tf.Tensor;
  readonly bias: tf.Tensor;
}
interface LayerNorm {
  readonly gamma: tf.Tensor;
  readonly beta: tf.Tensor;
}
interface EncoderLayer {
  readonly query: Dense;
  readonly key: Dense;
  readonly value: Dense;
  readonly attentionOutput: Dense;
  readonly attentionLayerNorm: LayerNorm;
  readonly intermediate: Dense;
  readonly output: Dense;
  readonly outputLayerNorm: LayerNorm;
}

/** What HF adds to the scores of masked keys: the most negative float32, so softmax gives them 0. */
const MASKED_SCORE = -3.4028234663852886e38;

/** The model's inputs for a token batch (int32 ids, attention mask and token types). */
export function bertInputs(batch: TokenBatch): { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D; tokenTypeIds: tf.Tensor2D } {
  const shape: [number, number] = [batch.batchSize, batch.sequenceLength];
  return {
    inputIds: tf.tensor2d(batch.inputIds, shape, 'int32'),
    attentionMask: tf.tensor2d(batch.attentionMask, shape, 'int32'),
    tokenTypeIds: tf.tensor2d(batch.tokenTypeIds, shape, 'int32'),
  };
}

export class BertForSequenceClassification {
  /** Every parameter by its Hugging Face name. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** Parameters by group, in state-dict order: embeddings, encoder.layer.0…N-1, pooler, classifier. */
  readonly groups: ReadonlyMap<BertParameterGroup, readonly tf.Variable[]>;

  private readonly specs: readonly ParameterSpec[];
  private readonly layers: readonly EncoderLayer[];
  private disposed = false;

  /** Takes ownership of `variables` (keyed by HF name, dense kernels [in, out]). */
  private constructor(
    readonly config: BertConfig,
    variables: Map<string, tf.Variable>,
  ) {
    this.specs = bertParameterSpecs(config);
    this.variables = variables;
    const groups = new Map<BertParameterGroup, tf.Variable[]>();
    for (const spec of this.specs) {
      const list = groups.get(spec.group) ?? [];
      list.push(this.param(spec.name));
      groups.set(spec.group, list);
    }
    this.groups = groups;
    this.layers = Array.from({ length: config.numHiddenLayers }, (_, layer) => {
      const prefix = `bert.encoder.layer.${layer}`;
      return {
        query: this.dense(`${prefix}.attention.self.query`),
        key: this.dense(`${prefix}.attention.self.key`),
        value: this.dense(`${prefix}.attention.self.value`),
        attentionOutput: this.dense(`${prefix}.attention.output.dense`),
        attentionLayerNorm: this.layerNorm(`${prefix}.attention.output.LayerNorm`),
        intermediate: this.dense(`${prefix}.intermediate.dense`),
        output: this.dense(`${prefix}.output.dense`),
        outputLayerNorm: this.layerNorm(`${prefix}.output.LayerNorm`),
      };
    });
  }

  /**
   * Builds the model from checkpoint tensors (Hugging Face names; see `checkpointNamesFor`). A missing
   * classifier head (or one shaped for another number of labels) and a missing pooler are initialised
   * fresh as HF does (weights normal(0, initializer_range), biases zero), with a notice. Any other
   * missing or mis-shaped parameter is an error.
   */
  static fromCheckpoint(config: BertConfig, checkpoint: ReadonlyMap<string, FloatTensor>, options: BertOptions = {}): BertLoadResult {
    const source = options.source ?? 'the checkpoint';
    const specs = bertParameterSpecs(config);
    const used = new Set<string>();
    const found = new Map<string, FloatTensor>();
    const missing: string[] = [];
    const misshaped: string[] = [];
    for (const spec of specs) {
      const stored = checkpointNamesFor(spec.name).find((name) => checkpoint.has(name));
      if (stored === undefined) {
        missing.push(spec.name);
        continue;
      }
      used.add(stored);
      const tensor = checkpoint.get(stored) as FloatTensor;
      if (!sameShape(tensor.shape, spec.shape)) misshaped.push(`${stored} is [${tensor.shape.join(', ')}], expected [${spec.shape.join(', ')}]`);
      else found.set(spec.name, tensor);
    }

    const notices: string[] = [];
    const fresh = new Set<BertParameterGroup>();
    const headMissing = missing.filter((name) => name.startsWith('classifier.'));
    const headMisshaped = misshaped.filter((text) => text.startsWith('classifier.'));
    if (headMissing.length > 0) {
      fresh.add('classifier');
      notices.push(
        `${source} has no classification head (${headMissing.join(', ')}): a new head for ${config.id2label.length} labels ` +
          `was initialised with random weights. Train it before trusting its predictions.`,
      );
    } else if (headMisshaped.length > 0) {
      fresh.add('classifier');
      notices.push(
        `${source} has a classification head for another number of labels (${headMisshaped.join('; ')}): a new head for ` +
          `${config.id2label.length} labels was initialised with random weights.`,
      );
    }
    const poolerMissing = missing.filter((name) => name.startsWith('bert.pooler.'));
    if (poolerMissing.length > 0) {
      fresh.add('pooler');
      notices.push(`${source} has no pooler (${poolerMissing.join(', ')}): it was initialised with random weights.`);
    }
    const fatalMissing = missing.filter((name) => !fresh.has(specs.find((spec) => spec.name === name)?.group ?? 'embeddings'));
    const fatalMisshaped = misshaped.filter((text) => !text.startsWith('classifier.'));
    if (fatalMissing.length > 0 || fatalMisshaped.length > 0) {
      const problems = [
        ...(fatalMissing.length > 0 ? [`missing ${listSome(fatalMissing)}`] : []),
        ...(fatalMisshaped.length > 0 ? [`wrong shapes: ${listSome(fatalMisshaped)}`] : []),
      ];
      throw new Error(`${source} does not match config.json (a BERT with ${config.numHiddenLayers} layers, hidden size ${config.hiddenSize}): ${problems.join('; ')}`);
    }
    const unused = [...checkpoint.keys(), ...(options.unused ?? [])].filter((name) => !used.has(name) && !IGNORED_CHECKPOINT_NAMES.test(name));
    if (unused.length > 0) {
      notices.push(`${unused.length} tensor(s) in ${source} are not used by BertForSequenceClassification: ${listSome(unused)}.`);
    }

    return { model: BertForSequenceClassification.build(config, specs, found, fresh, options.seed ?? 42), notices };
  }

  /** A model with every parameter initialised as HF's `_init_weights` does (for tests and from-scratch runs). */
  static initialised(config: BertConfig, seed = 42): BertForSequenceClassification {
    const specs = bertParameterSpecs(config);
    return BertForSequenceClassification.build(config, specs, new Map(), new Set(specs.map((spec) => spec.group)), seed);
  }

  /** Creates the variables: from `found` (HF layout) except the `fresh` groups, which are initialised. */
  private static build(
    config: BertConfig,
    specs: readonly ParameterSpec[],
    found: ReadonlyMap<string, FloatTensor>,
    fresh: ReadonlySet<BertParameterGroup>,
    firstSeed: number,
  ): BertForSequenceClassification {
    let seed = firstSeed;
    const variables = new Map<string, tf.Variable>();
    try {
      for (const spec of specs) {
        const value = tf.tidy(() => {
          const tensor = found.get(spec.name);
          if (tensor === undefined || fresh.has(spec.group)) return freshParameter(spec, config, seed++);
          const stored = tf.tensor(tensor.data, [...tensor.shape], 'float32');
          return spec.linear ? tf.transpose(stored) : stored;
        });
        variables.set(spec.name, tf.variable(value, true));
        value.dispose();
      }
    } catch (error) {
      for (const variable of variables.values()) variable.dispose();
      throw error;
    }
    return new BertForSequenceClassification(config, variables);
  }

  /**
   * The forward pass. Call inside `tf.tidy` (or dispose the outputs). `training` turns dropout on.
   */
  forward(inputs: BertInputs, { training = false }: { training?: boolean } = {}): BertOutputs {
    this.assertUsable();
    const { config } = this;
    const [batch, length] = inputs.inputIds.shape;
    if (length > config.maxPositionEmbeddings) {
      throw new Error(`sequence length ${length} exceeds max_position_embeddings ${config.maxPositionEmbeddings}`);
    }
    return tf.tidy(() => {
      const hidden = config.hiddenSize;
      const dropout = training ? withDropout : noDropout;

      const word = tf.gather(this.param('bert.embeddings.word_embeddings.weight'), inputs.inputIds.reshape([-1]).toInt());
      const position = tf.gather(this.param('bert.embeddings.position_embeddings.weight'), tf.range(0, length, 1, 'int32'));
      const tokenTypeIds = inputs.tokenTypeIds?.reshape([-1]).toInt() ?? tf.zeros([batch * length], 'int32');
      const tokenType = tf.gather(this.param('bert.embeddings.token_type_embeddings.weight'), tokenTypeIds);
      // Positions repeat for every sequence in the batch: add them through a [batch, length, hidden] view.
      const embedded = word.reshape([batch, length, hidden]).add(position).reshape([batch * length, hidden]).add<tf.Tensor2D>(tokenType);
      let x = dropout(this.applyLayerNorm(embedded, this.layerNorm('bert.embeddings.LayerNorm')), config.hiddenDropoutProb);

      const mask = inputs.attentionMask ?? tf.ones([batch, length]);
      const additiveMask = tf.scalar(1).sub(mask.toFloat()).mul(MASKED_SCORE).reshape<tf.Tensor4D>([batch, 1, 1, length]);
      // Each encoder layer is checkpointed: the backward pass recomputes it from its input, so a
      // training step keeps one [batch * length, hidden] input (and the dropout masks) per layer
      // instead of every activation of every layer (see checkpointed in fusedOps.ts).
      for (const layer of this.layers) {
        x = checkpointed(
          ([input, mask, ...parameters], layerDropout) =>
            this.encoderLayer(input as tf.Tensor2D, unpackEncoderLayer(parameters), mask as tf.Tensor4D, batch, length, layerDropout, training),
          [x, additiveMask, ...packEncoderLayer(layer)],
          training,
        ) as tf.Tensor2D;
      }

      const lastHiddenState = x.reshape<tf.Tensor3D>([batch, length, hidden]);
      const cls = lastHiddenState.slice([0, 0, 0], [batch, 1, hidden]).reshape<tf.Tensor2D>([batch, hidden]);
      const pooledOutput = tf.tanh(this.applyDense(cls, this.dense('bert.pooler.dense')));
      const logits = this.applyDense(dropout(pooledOutput, config.classifierDropout), this.dense('classifier'));
      return { lastHiddenState, pooledOutput, logits };
    });
  }

  /** One post-LN encoder layer on [batch * length, hidden]. */
  private encoderLayer(
    x: tf.Tensor2D,
    layer: EncoderLayer,
    additiveMask: tf.Tensor4D,
    batch: number,
    length: number,
    dropout: (x: tf.Tensor2D, rate: number) => tf.Tensor2D,
    training: boolean,
  ): tf.Tensor2D {
    const { config } = this;
    const heads = config.numAttentionHeads;
    const headSize = config.hiddenSize / heads;
    // [batch * length, hidden] → [batch, heads, length, headSize]; keys go straight to [.., headSize, length].
    const split = (t: tf.Tensor2D, order: number[]): tf.Tensor4D => t.reshape([batch, length, heads, headSize]).transpose(order);
    // The query is scaled by 1/√headSize before the QK product rather than dividing the [batch, heads,
    // length, length] scores (exact when headSize is a power of 4, e.g. 64); the scaling keeps nothing for the backward pass.
    const query = split(divideByConstant(this.applyDense(x, layer.query), Math.sqrt(headSize)), [0, 2, 1, 3]);
    const keyT = split(this.applyDense(x, layer.key), [0, 2, 3, 1]);
    const value = split(this.applyDense(x, layer.value), [0, 2, 1, 3]);
    let probabilities = maskedSoftmax(tf.matMul(query, keyT), additiveMask);
    if (config.attentionProbsDropoutProb > 0 && training) {
      probabilities = dropout(probabilities.reshape([-1, length]), config.attentionProbsDropoutProb).reshape(probabilities.shape);
    }
    const context = tf.matMul(probabilities, value).transpose([0, 2, 1, 3]).reshape<tf.Tensor2D>([batch * length, config.hiddenSize]);
    const attended = dropout(this.applyDense(context, layer.attentionOutput), config.hiddenDropoutProb);
    const afterAttention = this.applyLayerNorm(addSameShape(attended, x), layer.attentionLayerNorm);
    const intermediate = this.activation(this.applyDense(afterAttention, layer.intermediate));
    const output = dropout(this.applyDense(intermediate, layer.output), config.hiddenDropoutProb);
    return this.applyLayerNorm(addSameShape(output, afterAttention), layer.outputLayerNorm);
  }

  /** Parameters by Hugging Face name, converted back to HF layout (Linear weights [out, in]). */
  async exportHuggingfaceState(): Promise<Map<string, FloatTensor>> {
    this.assertUsable();
    const state = new Map<string, FloatTensor>();
    for (const spec of this.specs) {
      const variable = this.param(spec.name);
      const copy = tf.tidy(() => (spec.linear ? tf.transpose(variable) : variable.clone()));
      try {
        state.set(spec.name, { shape: spec.shape, data: Float32Array.from((await copy.data()) as Float32Array) });
      } finally {
        copy.dispose();
      }
    }
    return state;
  }

  /** Frees every variable; the model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const variable of this.variables.values()) variable.dispose();
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('this BERT model has been disposed');
  }

  private param(name: string): tf.Variable {
    const variable = this.variables.get(name);
    if (variable === undefined) throw new Error(`BERT parameter ${name} does not exist`);
    return variable;
  }

  private dense(prefix: string): Dense {
    return { kernel: this.param(`${prefix}.weight`), bias: this.param(`${prefix}.bias`) };
  }

  private layerNorm(prefix: string): LayerNorm {
    return { gamma: this.param(`${prefix}.weight`), beta: this.param(`${prefix}.bias`) };
  }

  private applyDense(x: tf.Tensor2D, dense: Dense): tf.Tensor2D {
    return linear(x, dense.kernel as tf.Tensor2D, dense.bias);
  }

  /** LayerNorm over the last axis with the biased variance, as torch.nn.LayerNorm (custom gradient: saves x̂ and 1/σ only). */
  private applyLayerNorm(x: tf.Tensor2D, norm: LayerNorm): tf.Tensor2D {
    return layerNorm(x, norm.gamma, norm.beta, this.config.layerNormEps);
  }

  private activation(x: tf.Tensor2D): tf.Tensor2D {
    switch (this.config.hiddenAct) {
      case 'gelu': // the exact form, with erf, as torch.nn.functional.gelu (custom gradient: saves x only)
        return geluErf(x);
      case 'gelu_new':
      case 'gelu_pytorch_tanh': {
        const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
        return x.mul(tf.tanh(inner).add(1)).mul(0.5);
      }
      case 'relu':
        return tf.relu(x);
    }
  }
}

const noDropout = (x: tf.Tensor2D): tf.Tensor2D => x;

/** An encoder layer's parameters as a list (the checkpointed layer takes them as inputs), and back. */
function packEncoderLayer(layer: EncoderLayer): tf.Tensor[] {
  const dense = (d: Dense): tf.Tensor[] => [d.kernel, d.bias];
  const norm = (n: LayerNorm): tf.Tensor[] => [n.gamma, n.beta];
  return [
    ...dense(layer.query),
    ...dense(layer.key),
    ...dense(layer.value),
    ...dense(layer.attentionOutput),
    ...norm(layer.attentionLayerNorm),
    ...dense(layer.intermediate),
    ...dense(layer.output),
    ...norm(layer.outputLayerNorm),
  ];
}

function unpackEncoderLayer(t: readonly tf.Tensor[]): EncoderLayer {
  if (t.length !== 16) throw new Error(`an encoder layer has 16 parameters, got ${t.length}`);
  const at = (i: number): tf.Tensor => t[i] as tf.Tensor;
  return {
    query: { kernel: at(0), bias: at(1) },
    key: { kernel: at(2), bias: at(3) },
    value: { kernel: at(4), bias: at(5) },
    attentionOutput: { kernel: at(6), bias: at(7) },
    attentionLayerNorm: { gamma: at(8), beta: at(9) },
    intermediate: { kernel: at(10), bias: at(11) },
    output: { kernel: at(12), bias: at(13) },
    outputLayerNorm: { gamma: at(14), beta: at(15) },
  };
}
const withDropout = (x: tf.Tensor2D, rate: number): tf.Tensor2D => fusedDropout(x, rate);

function freshParameter(spec: ParameterSpec, config: BertConfig, seed: number): tf.Tensor {
  const isLayerNormWeight = /LayerNorm\.weight$/.test(spec.name);
  if (isLayerNormWeight) return tf.ones([...spec.shape]);
  if (spec.name.endsWith('.bias')) return tf.zeros([...spec.shape]);
  // Weights (Linear and embeddings): normal(0, initializer_range); Linear kernels stored [in, out].
  const shape = spec.linear ? [spec.shape[1] ?? 0, spec.shape[0] ?? 0] : [...spec.shape];
  const weights = tf.randomNormal(shape, 0, config.initializerRange, 'float32', seed);
  if (spec.name === 'bert.embeddings.word_embeddings.weight') {
    // HF zeroes the padding token's embedding.
    const mask = tf.oneHot([config.padTokenId], shape[0] ?? 0).reshape([-1, 1]);
    return weights.mul(tf.scalar(1).sub(mask));
  }
  return weights;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}

function listSome(names: readonly string[], limit = 6): string {
  return names.length <= limit ? names.join(', ') : `${names.slice(0, limit).join(', ')} and ${names.length - limit} more`;
}
