import * as tf from '@tensorflow/tfjs';
import type { TokenBatch } from '../data/tokenBatches';
import { LAYER_PARTS, type EncoderArchitecture, type HeadKind, type LayerPart } from '../../common/huggingface/architectures/encoderArchitecture';
import { architectureOf, type EncoderConfig } from '../../common/huggingface/architectures/encoderConfig';
import { checkpointNamesFor, IGNORED_CHECKPOINT_NAMES, parameterSpecs, type EncoderModule, type ParameterGroup, type ParameterSpec } from '../../common/huggingface/architectures/parameterSpecs';
import { addSameShape, checkpointed, divideByConstant, dropout as fusedDropout, geluErf, layerNorm, linear, maskedSoftmax } from './fusedOps';
import type { FloatTensor } from './safetensors';

/**
 * A BERT-family encoder with its sequence-classification head in TensorFlow.js, numerically faithful
 * to Hugging Face's `…ForSequenceClassification` of its architecture (architectures/): word +
 * position (+ token-type) embeddings and LayerNorm (ELECTRA: projected to the hidden size), post-LN
 * encoder layers (self-attention, GELU feed-forward), and the architecture's head on the first token.
 *
 * Parameters are `tf.Variable`s keyed by their Hugging Face names and grouped (embeddings, each
 * encoder layer, pooler, classifier) so a trainer can freeze groups. Dense kernels are stored
 * [in, out]; PyTorch's Linear stores [out, in], so they are transposed on load and back on export.
 */

export interface EncoderLoadResult {
  readonly model: EncoderClassifier;
  /** Things the caller should tell the user: a freshly initialised head or pooler, unused weights. */
  readonly notices: string[];
}

export interface EncoderOptions {
  /** Seed for freshly initialised parameters (a missing head or pooler). */
  readonly seed?: number;
  /** Where the weights came from, for messages. */
  readonly source?: string;
  /** Checkpoint tensors the caller did not read because no parameter uses them (reported as unused). */
  readonly unused?: readonly string[];
}

export interface EncoderInputs {
  /** Token ids, [batch, sequence], int32. */
  readonly inputIds: tf.Tensor2D;
  /** 1 for real tokens, 0 for padding, [batch, sequence]; all ones when absent. */
  readonly attentionMask?: tf.Tensor2D;
  /** Segment ids, [batch, sequence], int32; all zeros when absent (ignored by architectures without token types). */
  readonly tokenTypeIds?: tf.Tensor2D;
}

/** A type, not an interface, so `tf.tidy(() => model.forward(x))` type-checks (tidy wants a TensorContainer). */
export type EncoderOutputs = {
  /** [batch, sequence, hidden] */
  readonly lastHiddenState: tf.Tensor3D;
  /** [batch, labels] */
  readonly logits: tf.Tensor2D;
  /** tanh(pooler.dense(first token)), [batch, hidden]: BERT's pooler output (absent for heads without a pooler). */
  readonly pooledOutput?: tf.Tensor2D;
};

interface Dense {
  readonly kernel: tf.Tensor;
  readonly bias: tf.Tensor;
}
interface LayerNorm {
  readonly gamma: tf.Tensor;
  readonly beta: tf.Tensor;
}
type EncoderLayer = { readonly [part in LayerPart]: part extends 'attentionLayerNorm' | 'outputLayerNorm' ? LayerNorm : Dense };
interface HeadModules {
  readonly pooler?: Dense;
  readonly hidden?: Dense;
  readonly output: Dense;
}

/** What HF adds to the scores of masked keys: the most negative float32, so softmax gives them 0. */
const MASKED_SCORE = -3.4028234663852886e38;

/** The model's inputs for a token batch (int32 ids, attention mask and token types). */
export function encoderInputs(batch: TokenBatch): { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D; tokenTypeIds: tf.Tensor2D } {
  const shape: [number, number] = [batch.batchSize, batch.sequenceLength];
  return {
    inputIds: tf.tensor2d(batch.inputIds, shape, 'int32'),
    attentionMask: tf.tensor2d(batch.attentionMask, shape, 'int32'),
    tokenTypeIds: tf.tensor2d(batch.tokenTypeIds, shape, 'int32'),
  };
}

type Dropout = (x: tf.Tensor2D) => tf.Tensor2D;

/** Each head of HEAD_PARTS on the first token's final hidden state, as its HF class computes it. */
const HEADS: Readonly<Record<HeadKind, (head: HeadModules, first: tf.Tensor2D, dropout: Dropout) => { logits: tf.Tensor2D; pooledOutput?: tf.Tensor2D }>> = {
  pooler: (head, first, dropout) => {
    const pooledOutput = tf.tanh(applyDense(first, head.pooler!));
    return { logits: applyDense(dropout(pooledOutput), head.output), pooledOutput };
  },
  'pre-classifier': (head, first, dropout) => ({ logits: applyDense(dropout(tf.relu(applyDense(first, head.hidden!))), head.output) }),
  'dense-tanh': (head, first, dropout) => ({ logits: applyDense(dropout(tf.tanh(applyDense(dropout(first), head.hidden!))), head.output) }),
  'dense-gelu': (head, first, dropout) => ({ logits: applyDense(dropout(geluErf(applyDense(dropout(first), head.hidden!))), head.output) }),
};

export class EncoderClassifier {
  readonly architecture: EncoderArchitecture;
  /** Every parameter by its Hugging Face name. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** Parameters by group, in state-dict order: embeddings, encoder.layer.0…N-1, pooler (BERT), classifier. */
  readonly groups: ReadonlyMap<ParameterGroup, readonly tf.Variable[]>;

  private readonly specs: readonly ParameterSpec[];
  private readonly modules: ReadonlyMap<EncoderModule, { readonly weight: tf.Variable; readonly bias?: tf.Variable }>;
  private readonly layers: readonly EncoderLayer[];
  private readonly head: HeadModules;
  private disposed = false;

  /** Takes ownership of `variables` (keyed by HF name, dense kernels [in, out]). */
  private constructor(
    readonly config: EncoderConfig,
    variables: Map<string, tf.Variable>,
  ) {
    this.architecture = architectureOf(config);
    this.specs = parameterSpecs(config);
    this.variables = variables;
    const groups = new Map<ParameterGroup, tf.Variable[]>();
    const modules = new Map<EncoderModule, { weight: tf.Variable; bias?: tf.Variable }>();
    for (const spec of this.specs) {
      const variable = this.param(spec.name);
      groups.set(spec.group, [...(groups.get(spec.group) ?? []), variable]);
      const entry = modules.get(spec.module) ?? { weight: variable };
      modules.set(spec.module, spec.kind === 'weight' ? { ...entry, weight: variable } : { ...entry, bias: variable });
    }
    this.groups = groups;
    this.modules = modules;
    this.layers = Array.from({ length: config.numHiddenLayers }, (_, layer) => {
      const parts = LAYER_PARTS.map((part) => {
        const module = `layer.${layer}.${part}` as const;
        return [part, part.endsWith('LayerNorm') ? this.layerNorm(module) : this.dense(module)];
      });
      return Object.fromEntries(parts) as EncoderLayer;
    });
    this.head = {
      ...(modules.has('head.pooler') ? { pooler: this.dense('head.pooler') } : {}),
      ...(modules.has('head.hidden') ? { hidden: this.dense('head.hidden') } : {}),
      output: this.dense('head.output'),
    };
  }

  /**
   * Builds the model from checkpoint tensors (Hugging Face names; see `checkpointNamesFor`). A missing
   * classifier head (or one shaped for another number of labels) and a missing pooler are initialised
   * fresh as HF does (weights normal(0, initializer_range), biases zero), with a notice. Any other
   * missing or mis-shaped parameter is an error.
   */
  static fromCheckpoint(config: EncoderConfig, checkpoint: ReadonlyMap<string, FloatTensor>, options: EncoderOptions = {}): EncoderLoadResult {
    const architecture = architectureOf(config);
    const source = options.source ?? 'the checkpoint';
    const specs = parameterSpecs(config);
    const used = new Set<string>();
    const found = new Map<string, FloatTensor>();
    const missing: ParameterSpec[] = [];
    const misshaped: { spec: ParameterSpec; text: string }[] = [];
    for (const spec of specs) {
      const stored = checkpointNamesFor(spec.name, architecture).find((name) => checkpoint.has(name));
      if (stored === undefined) {
        missing.push(spec);
        continue;
      }
      used.add(stored);
      const tensor = checkpoint.get(stored) as FloatTensor;
      if (!sameShape(tensor.shape, spec.shape)) misshaped.push({ spec, text: `${stored} is [${tensor.shape.join(', ')}], expected [${spec.shape.join(', ')}]` });
      else found.set(spec.name, tensor);
    }

    const notices: string[] = [];
    const fresh = new Set<ParameterGroup>();
    const labels = config.id2label.length;
    const headMissing = missing.filter((spec) => spec.group === 'classifier').map((spec) => spec.name);
    const headMisshaped = misshaped.filter(({ spec }) => spec.group === 'classifier').map(({ text }) => text);
    if (headMissing.length > 0) {
      fresh.add('classifier');
      notices.push(
        `${source} has no classification head (${headMissing.join(', ')}): a new head for ${labels} labels ` +
          `was initialised with random weights. Train it before trusting its predictions.`,
      );
    } else if (headMisshaped.length > 0) {
      fresh.add('classifier');
      notices.push(`${source} has a classification head for another number of labels (${headMisshaped.join('; ')}): a new head for ${labels} labels was initialised with random weights.`);
    }
    const poolerMissing = missing.filter((spec) => spec.group === 'pooler').map((spec) => spec.name);
    if (poolerMissing.length > 0) {
      fresh.add('pooler');
      notices.push(`${source} has no pooler (${poolerMissing.join(', ')}): it was initialised with random weights.`);
    }
    const fatalMissing = missing.filter((spec) => !fresh.has(spec.group)).map((spec) => spec.name);
    const fatalMisshaped = misshaped.filter(({ spec }) => spec.group !== 'classifier').map(({ text }) => text);
    if (fatalMissing.length > 0 || fatalMisshaped.length > 0) {
      const problems = [
        ...(fatalMissing.length > 0 ? [`missing ${listSome(fatalMissing)}`] : []),
        ...(fatalMisshaped.length > 0 ? [`wrong shapes: ${listSome(fatalMisshaped)}`] : []),
      ];
      throw new Error(
        `${source} does not match config.json (a ${architecture.displayName} with ${config.numHiddenLayers} layers, hidden size ${config.hiddenSize}): ${problems.join('; ')}`,
      );
    }
    const unused = [...checkpoint.keys(), ...(options.unused ?? [])].filter((name) => !used.has(name) && !IGNORED_CHECKPOINT_NAMES.test(name));
    if (unused.length > 0) notices.push(`${unused.length} tensor(s) in ${source} are not used by ${architecture.className}: ${listSome(unused)}.`);

    return { model: EncoderClassifier.build(config, specs, found, fresh, options.seed ?? 42), notices };
  }

  /** A model with every parameter initialised as HF's `_init_weights` does (for tests and from-scratch runs). */
  static initialised(config: EncoderConfig, seed = 42): EncoderClassifier {
    const specs = parameterSpecs(config);
    return EncoderClassifier.build(config, specs, new Map(), new Set(specs.map((spec) => spec.group)), seed);
  }

  /** Creates the variables: from `found` (HF layout) except the `fresh` groups, which are initialised. */
  private static build(
    config: EncoderConfig,
    specs: readonly ParameterSpec[],
    found: ReadonlyMap<string, FloatTensor>,
    fresh: ReadonlySet<ParameterGroup>,
    firstSeed: number,
  ): EncoderClassifier {
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
    return new EncoderClassifier(config, variables);
  }

  /** The forward pass. Call inside `tf.tidy` (or dispose the outputs). `training` turns dropout on. */
  forward(inputs: EncoderInputs, { training = false }: { training?: boolean } = {}): EncoderOutputs {
    this.assertUsable();
    const { config } = this;
    const [batch, length] = inputs.inputIds.shape;
    const offset = this.architecture.positions === 'after-padding' ? config.padTokenId + 1 : 0;
    if (length + offset > config.maxPositionEmbeddings) {
      throw new Error(`sequence length ${length} exceeds the ${config.maxPositionEmbeddings - offset} positions of the model (max_position_embeddings ${config.maxPositionEmbeddings})`);
    }
    return tf.tidy(() => {
      const dropout = training ? fusedDropout : noDropout;
      let x = dropout(this.embed(inputs, batch, length), config.hiddenDropoutProb);
      if (this.modules.has('embeddingsProject')) x = applyDense(x, this.dense('embeddingsProject'));

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

      const hidden = config.hiddenSize;
      const lastHiddenState = x.reshape<tf.Tensor3D>([batch, length, hidden]);
      const first = lastHiddenState.slice([0, 0, 0], [batch, 1, hidden]).reshape<tf.Tensor2D>([batch, hidden]);
      return { lastHiddenState, ...this.classify(first, training) };
    });
  }

  /**
   * The head alone on the first token's final hidden state ([CLS] / <s>), [batch, hidden]: what
   * `forward` computes above the encoder (call inside tf.tidy).
   */
  classify(first: tf.Tensor2D, training: boolean): { logits: tf.Tensor2D; pooledOutput?: tf.Tensor2D } {
    this.assertUsable();
    const rate = this.config.classifierDropout;
    const dropout: Dropout = training && rate > 0 ? (x) => fusedDropout(x, rate) : noDropout;
    return HEADS[this.architecture.head](this.head, first, dropout);
  }

  /** Word + position (+ token-type) embeddings and their LayerNorm, [batch * length, embedding size]. */
  private embed(inputs: EncoderInputs, batch: number, length: number): tf.Tensor2D {
    const { config } = this;
    const width = config.embeddingSize;
    const ids = inputs.inputIds.toInt();
    const word = tf.gather(this.table('wordEmbeddings'), ids.reshape([-1]));
    let embedded: tf.Tensor2D;
    if (this.architecture.positions === 'after-padding') {
      // RoBERTa's create_position_ids_from_input_ids: padding_idx + 1, 2, … over the non-padding tokens, padding_idx on padding.
      const real = tf.notEqual(ids, config.padTokenId).toInt();
      const positions = tf.cumsum(real, 1).mul(real).add(tf.scalar(config.padTokenId, 'int32'));
      embedded = word.add(tf.gather(this.table('positionEmbeddings'), positions.reshape([-1])));
    } else {
      // Positions repeat for every sequence in the batch: add them through a [batch, length, width] view.
      const position = tf.gather(this.table('positionEmbeddings'), tf.range(0, length, 1, 'int32'));
      embedded = word.reshape([batch, length, width]).add(position).reshape([batch * length, width]);
    }
    if (this.modules.has('tokenTypeEmbeddings')) {
      const tokenTypeIds = inputs.tokenTypeIds?.reshape([-1]).toInt() ?? tf.zeros([batch * length], 'int32');
      embedded = embedded.add(tf.gather(this.table('tokenTypeEmbeddings'), tokenTypeIds));
    }
    return this.applyLayerNorm(embedded, this.layerNorm('embeddingsLayerNorm'));
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
    const query = split(divideByConstant(applyDense(x, layer.query), Math.sqrt(headSize)), [0, 2, 1, 3]);
    const keyT = split(applyDense(x, layer.key), [0, 2, 3, 1]);
    const value = split(applyDense(x, layer.value), [0, 2, 1, 3]);
    let probabilities = maskedSoftmax(tf.matMul(query, keyT), additiveMask);
    if (config.attentionProbsDropoutProb > 0 && training) {
      probabilities = dropout(probabilities.reshape([-1, length]), config.attentionProbsDropoutProb).reshape(probabilities.shape);
    }
    const context = tf.matMul(probabilities, value).transpose([0, 2, 1, 3]).reshape<tf.Tensor2D>([batch * length, config.hiddenSize]);
    const attended = dropout(applyDense(context, layer.attentionOutput), config.hiddenDropoutProb);
    const afterAttention = this.applyLayerNorm(addSameShape(attended, x), layer.attentionLayerNorm);
    const intermediate = this.activation(applyDense(afterAttention, layer.intermediate));
    const output = dropout(applyDense(intermediate, layer.output), config.hiddenDropoutProb);
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
    if (this.disposed) throw new Error(`this ${this.architecture.displayName} model has been disposed`);
  }

  private param(name: string): tf.Variable {
    const variable = this.variables.get(name);
    if (variable === undefined) throw new Error(`${this.architecture.displayName} parameter ${name} does not exist`);
    return variable;
  }

  private module(module: EncoderModule): { readonly weight: tf.Variable; readonly bias?: tf.Variable } {
    const found = this.modules.get(module);
    if (found === undefined) throw new Error(`${this.architecture.displayName} has no ${module}`);
    return found;
  }

  private table(module: EncoderModule): tf.Tensor2D {
    return this.module(module).weight as tf.Tensor2D;
  }

  private dense(module: EncoderModule): Dense {
    const { weight, bias } = this.module(module);
    return { kernel: weight, bias: bias! };
  }

  private layerNorm(module: EncoderModule): LayerNorm {
    const { weight, bias } = this.module(module);
    return { gamma: weight, beta: bias! };
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

function applyDense(x: tf.Tensor2D, dense: Dense): tf.Tensor2D {
  return linear(x, dense.kernel as tf.Tensor2D, dense.bias);
}

const noDropout = <T extends tf.Tensor>(x: T): T => x;

/** An encoder layer's parameters as a list (the checkpointed layer takes them as inputs), and back. */
function packEncoderLayer(layer: EncoderLayer): tf.Tensor[] {
  return LAYER_PARTS.flatMap((part) => {
    const module = layer[part];
    return 'kernel' in module ? [module.kernel, module.bias] : [module.gamma, module.beta];
  });
}

function unpackEncoderLayer(t: readonly tf.Tensor[]): EncoderLayer {
  if (t.length !== 2 * LAYER_PARTS.length) throw new Error(`an encoder layer has ${2 * LAYER_PARTS.length} parameters, got ${t.length}`);
  const parts = LAYER_PARTS.map((part, i) => {
    const [first, second] = [t[2 * i] as tf.Tensor, t[2 * i + 1] as tf.Tensor];
    return [part, part.endsWith('LayerNorm') ? { gamma: first, beta: second } : { kernel: first, bias: second }];
  });
  return Object.fromEntries(parts) as EncoderLayer;
}

function freshParameter(spec: ParameterSpec, config: EncoderConfig, seed: number): tf.Tensor {
  const isNormWeight = spec.kind === 'weight' && !spec.linear && spec.shape.length === 1;
  if (isNormWeight) return tf.ones([...spec.shape]);
  if (spec.kind === 'bias') return tf.zeros([...spec.shape]);
  // Weights (Linear and embeddings): normal(0, initializer_range); Linear kernels stored [in, out].
  const shape = spec.linear ? [spec.shape[1] ?? 0, spec.shape[0] ?? 0] : [...spec.shape];
  const weights = tf.randomNormal(shape, 0, config.initializerRange, 'float32', seed);
  const paddingRow = spec.module === 'wordEmbeddings' || (spec.module === 'positionEmbeddings' && architectureOf(config).positions === 'after-padding');
  if (paddingRow && config.padTokenId < (shape[0] ?? 0)) {
    // HF zeroes the padding_idx row of an embedding that has one.
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
