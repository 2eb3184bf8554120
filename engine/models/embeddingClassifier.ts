import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../data/seededRandom';
import type { TokenBatch } from '../data/tokenBatches';
import type { Decision } from './decision';
import type { FloatTensor } from './safetensors';

/**
 * The word-vector text classifier in TensorFlow.js: an embedding layer (the words, then any hashed
 * n-gram buckets), pooling over the real tokens (padding excluded), the pooled_norm standardisation,
 * an optional hidden dense layer with ReLU, dropout and a linear classifier — the head of Hugging
 * Face's DistilBertForSequenceClassification on pooled word vectors. Predictions use it; training
 * runs on the sparse kernel (engine/sparseClassifier), which test/unit/sparse-kernel.test.ts holds
 * to the same numbers.
 *
 * Parameters are `tf.Variable`s keyed by torch-style names and kept in torch's layout (Linear
 * weights [out, in], multiplied transposed), so export and import are plain copies:
 * `embeddings.weight` [V + buckets, D], `pre_classifier.weight` [H, in] and `.bias` [H] when H > 0,
 * `classifier.weight` [L, in] and `.bias` [L]. Row 0 of the embeddings is [PAD]: zero, and it never
 * receives a gradient because padding is masked out of the pooling.
 */

export const EMBEDDING_CLASSIFIER_MODEL_TYPE = 'nlp-studio-embedding-classifier';
export const EMBEDDING_CLASSIFIER_ARCHITECTURE = 'EmbeddingClassifierForSequenceClassification';

export type Pooling = 'mean' | 'max' | 'mean-max';
export type EmbeddingClassifierGroup = 'embeddings' | 'head';

export interface EmbeddingClassifierConfig {
  /** Words (vocab.txt, [PAD] and [UNK] included). */
  readonly vocabSize: number;
  /** Longest hashed word n-gram pooled with the words (1: none), and its buckets: embedding rows after the words'. */
  readonly wordNgrams: number;
  readonly ngramBuckets: number;
  readonly vectorSize: number;
  readonly pooling: Pooling;
  /** Width of the hidden dense layer; 0 is a linear head. */
  readonly hiddenSize: number;
  readonly dropout: number;
  /** Label names by id. */
  readonly labels: readonly string[];
  /** Tokenisation, kept with the model so a reload tokenises as training did. */
  readonly lowercase: boolean;
  readonly maxLength: number;
  /** Multi-label models: sigmoid per label, labels over the threshold. */
  readonly decision: Decision;
}

/** Rows of the embedding matrix: the words, then the n-gram buckets. */
export function embeddingRows(config: Pick<EmbeddingClassifierConfig, 'vocabSize' | 'wordNgrams' | 'ngramBuckets'>): number {
  return config.vocabSize + (config.wordNgrams > 1 ? config.ngramBuckets : 0);
}

export interface EmbeddingClassifierParameter {
  readonly name: string;
  readonly group: EmbeddingClassifierGroup;
  readonly shape: readonly number[];
}

/** Width of the pooled text vector. */
export function pooledSize(config: Pick<EmbeddingClassifierConfig, 'vectorSize' | 'pooling'>): number {
  return config.pooling === 'mean-max' ? 2 * config.vectorSize : config.vectorSize;
}

/** Every parameter, in state-dict order. */
export function embeddingClassifierParameters(config: EmbeddingClassifierConfig): EmbeddingClassifierParameter[] {
  const pooled = pooledSize(config);
  const specs: EmbeddingClassifierParameter[] = [{ name: 'embeddings.weight', group: 'embeddings', shape: [embeddingRows(config), config.vectorSize] }];
  if (config.hiddenSize > 0) {
    specs.push({ name: 'pre_classifier.weight', group: 'head', shape: [config.hiddenSize, pooled] });
    specs.push({ name: 'pre_classifier.bias', group: 'head', shape: [config.hiddenSize] });
  }
  const classifierInputs = config.hiddenSize > 0 ? config.hiddenSize : pooled;
  specs.push({ name: 'classifier.weight', group: 'head', shape: [config.labels.length, classifierInputs] });
  specs.push({ name: 'classifier.bias', group: 'head', shape: [config.labels.length] });
  return specs;
}

/**
 * The parameters of a new model: `embeddings` ([rows × vectorSize], row-major) as given, the dense
 * layers as torch initialises a Linear (uniform ±1/√in for weights and biases), from `seed`.
 */
export function initialEmbeddingClassifierState(config: EmbeddingClassifierConfig, embeddings: Float32Array, seed: number): Map<string, FloatTensor> {
  const random = new SeededRandom(seed, 7);
  const state = new Map<string, FloatTensor>();
  for (const spec of embeddingClassifierParameters(config)) {
    if (spec.name === 'embeddings.weight') {
      state.set(spec.name, { shape: spec.shape, data: embeddings });
      continue;
    }
    const fanIn = spec.name.startsWith('classifier.') ? (config.hiddenSize > 0 ? config.hiddenSize : pooledSize(config)) : pooledSize(config);
    const bound = 1 / Math.sqrt(fanIn);
    const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = (2 * random.nextFloat() - 1) * bound;
    state.set(spec.name, { shape: spec.shape, data });
  }
  return state;
}

/**
 * The standardisation of the pooled vector the head reads, (pooled − mean) × scale per feature: buffers
 * (never trained) fitted on the training data's pooled vectors when the run starts. A folder without
 * them (trained before they existed) pools unstandardised.
 */
export const POOLED_NORM = { mean: 'pooled_norm.mean', scale: 'pooled_norm.scale' } as const;

/** What the masked max gives padding, so it never wins (a real token always exists). */
const MASKED = -1e9;

export class EmbeddingClassifier {
  readonly variables: ReadonlyMap<string, tf.Variable>;
  readonly groups: ReadonlyMap<EmbeddingClassifierGroup, readonly string[]>;
  private disposed = false;
  /** Seeds each dropout mask, so a seeded run draws the same masks every time. */
  private readonly dropoutRandom: SeededRandom;

  private constructor(
    readonly config: EmbeddingClassifierConfig,
    variables: Map<string, tf.Variable>,
    seed: number,
    private readonly norm: { mean: tf.Tensor1D; scale: tf.Tensor1D } | undefined,
  ) {
    this.variables = variables;
    this.dropoutRandom = new SeededRandom(seed, 13);
    const groups = new Map<EmbeddingClassifierGroup, string[]>();
    for (const spec of embeddingClassifierParameters(config)) groups.set(spec.group, [...(groups.get(spec.group) ?? []), spec.name]);
    this.groups = groups;
  }

  /** A model from stored tensors (torch names and layouts); every parameter must be there, shaped right. */
  static fromState(config: EmbeddingClassifierConfig, state: ReadonlyMap<string, FloatTensor>, { source = 'the weights', seed = 0 }: { source?: string; seed?: number } = {}): EmbeddingClassifier {
    const specs = embeddingClassifierParameters(config);
    if (!state.has('embeddings.weight') && state.has('embeddings.weight.trained_rows')) {
      throw new Error(`${source} are a training checkpoint's (only the embedding rows that train): load the run folder, not its checkpoints`);
    }
    const problems: string[] = [];
    for (const spec of specs) {
      const tensor = state.get(spec.name);
      if (tensor === undefined) problems.push(`${spec.name} is missing`);
      else if (tensor.shape.length !== spec.shape.length || tensor.shape.some((size, i) => size !== spec.shape[i])) {
        problems.push(`${spec.name} is [${tensor.shape.join(', ')}], expected [${spec.shape.join(', ')}]`);
      }
    }
    if (problems.length > 0) throw new Error(`${source} do not match the classifier's config: ${problems.join('; ')}`);
    const width = pooledSize(config);
    const buffers = [state.get(POOLED_NORM.mean), state.get(POOLED_NORM.scale)];
    if (buffers.some((tensor) => tensor !== undefined && tensor.data.length !== width)) throw new Error(`${source}: the pooled_norm buffers must have ${width} values`);
    const variables = new Map<string, tf.Variable>();
    for (const spec of specs) {
      const value = tf.tensor(state.get(spec.name)!.data, [...spec.shape], 'float32');
      variables.set(spec.name, tf.variable(value, true));
      value.dispose();
    }
    const [mean, scale] = buffers;
    const norm = mean && scale ? { mean: tf.tensor1d(mean.data), scale: tf.tensor1d(scale.data) } : undefined;
    return new EmbeddingClassifier(config, variables, seed, norm);
  }

  /** A new model from `initialEmbeddingClassifierState`. */
  static initialised(config: EmbeddingClassifierConfig, embeddings: Float32Array, seed: number): EmbeddingClassifier {
    return EmbeddingClassifier.fromState(config, initialEmbeddingClassifierState(config, embeddings, seed), { seed });
  }

  get pooledSize(): number {
    return pooledSize(this.config);
  }

  /** The pooled text vectors of a batch, [batch, pooledSize]: no dropout below this point. Call inside tf.tidy. */
  pool(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor2D {
    this.assertUsable();
    const [batch, length] = inputIds.shape;
    const dim = this.config.vectorSize;
    const tokens = tf.gather(this.param('embeddings.weight'), inputIds.reshape([-1]).toInt()).reshape<tf.Tensor3D>([batch, length, dim]);
    const mask = attentionMask.toFloat().reshape<tf.Tensor3D>([batch, length, 1]);
    const parts: tf.Tensor2D[] = [];
    if (this.config.pooling !== 'max') {
      const counts = mask.sum(1).maximum(1);
      parts.push(tokens.mul(mask).sum(1).div(counts));
    }
    if (this.config.pooling !== 'mean') parts.push(tokens.add(tf.scalar(1).sub(mask).mul(MASKED)).max(1));
    const pooled = parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
    return this.norm ? pooled.sub(this.norm.mean).mul(this.norm.scale) : pooled;
  }

  /** Logits from pooled vectors: [dense → ReLU] → dropout → classifier. Call inside tf.tidy. */
  head(pooled: tf.Tensor2D, training: boolean): tf.Tensor2D {
    this.assertUsable();
    const linear = (x: tf.Tensor2D, name: string): tf.Tensor2D => tf.matMul(x, this.param(`${name}.weight`) as tf.Tensor2D, false, true).add(this.param(`${name}.bias`));
    let x = this.config.hiddenSize > 0 ? tf.relu(linear(pooled, 'pre_classifier')) : pooled;
    if (training && this.config.dropout > 0) x = tf.dropout(x, this.config.dropout, undefined, this.dropoutRandom.nextInt(2 ** 31)) as tf.Tensor2D;
    return linear(x, 'classifier');
  }

  /** Logits of token ids [batch, length] with their attention mask. Call inside tf.tidy. */
  logits(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D, training: boolean): tf.Tensor2D {
    return this.head(this.pool(inputIds, attentionMask), training);
  }

  /** Logits of a padded token batch. Call inside tf.tidy. */
  batchLogits(batch: TokenBatch, training: boolean): tf.Tensor2D {
    const shape: [number, number] = [batch.batchSize, batch.sequenceLength];
    return this.logits(tf.tensor2d(batch.inputIds, shape, 'int32'), tf.tensor2d(batch.attentionMask, shape, 'int32'), training);
  }

  /** Parameters (and the pooled_norm buffers) by name, in torch layout (copies). */
  async exportState(): Promise<Map<string, FloatTensor>> {
    this.assertUsable();
    const state = new Map<string, FloatTensor>();
    const copy = async (tensor: tf.Tensor): Promise<Float32Array> => Float32Array.from((await tensor.data()) as Float32Array);
    for (const spec of embeddingClassifierParameters(this.config)) state.set(spec.name, { shape: spec.shape, data: await copy(this.param(spec.name)) });
    if (this.norm) {
      state.set(POOLED_NORM.mean, { shape: [this.pooledSize], data: await copy(this.norm.mean) });
      state.set(POOLED_NORM.scale, { shape: [this.pooledSize], data: await copy(this.norm.scale) });
    }
    return state;
  }

  /** Overwrites the parameters found in `state` (e.g. the best epoch's). */
  importState(state: ReadonlyMap<string, FloatTensor>): void {
    this.assertUsable();
    for (const [name, tensor] of state) {
      const variable = this.variables.get(name);
      if (variable !== undefined) tf.tidy(() => variable.assign(tf.tensor(tensor.data, [...tensor.shape], 'float32')));
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const variable of this.variables.values()) variable.dispose();
    this.norm?.mean.dispose();
    this.norm?.scale.dispose();
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('this embedding classifier has been disposed');
  }

  private param(name: string): tf.Variable {
    const variable = this.variables.get(name);
    if (variable === undefined) throw new Error(`embedding classifier parameter ${name} does not exist`);
    return variable;
  }
}
