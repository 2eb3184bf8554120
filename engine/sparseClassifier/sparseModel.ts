// A word-vector classifier held in the sparse kernel's shared memory, with its threads: what a
// training run does with it (epochs, cached pooled features, validation logits) and its parameters
// and optimiser state in and out as torch-named tensors (the layout's padded rows and head converted).
import { availableParallelism } from 'node:os';
import type { TokenizedExamples } from '../data/tokenizedExamples';
import type { FloatTensor } from '../models/safetensors';
import { Control, SparseKernel, type PooledSource } from './kernel';
import { allocateSparseMemory, classifierInputs, planSparseLayout, pooledWidth, type ExampleSetLayout, type SparseLayout, type SparseShape } from './layout';
import { SparseThreads, type EpochTotals } from './threads';
import type { EpochJob } from './workerProtocol';
import type { WasmMemory } from '../word2vec/wasm/webAssemblyApi';

export const EMBEDDINGS = 'embeddings.weight';
/**
 * A checkpoint's embeddings: only the rows that can train ([rows] ids as floats, exact below 2^24, and
 * their [rows, dim] values); the others are the run's initial vectors, which the run recomputes.
 */
export const TRAINED_ROW_IDS = 'embeddings.weight.trained_rows';
export const TRAINED_ROWS = 'embeddings.weight.trained_values';
/** Buffers (not trained): the standardisation of the pooled vector, per feature. */
export const NORM_MEAN = 'pooled_norm.mean';
export const NORM_SCALE = 'pooled_norm.scale';

export interface SparseModelOptions {
  readonly shape: SparseShape;
  readonly train: TokenizedExamples;
  readonly validation: TokenizedExamples | undefined;
  /** Rows that can train (every other row keeps its initial vector and gets no optimiser state). */
  readonly trainableRows: Int32Array;
  readonly batchSize: number;
  /** Default: the CPU cores. */
  readonly threads?: number;
  readonly beta1: number;
  readonly beta2: number;
}

/** The rows that occur in `examples`, ascending: the ones training can touch. */
export function rowsIn(examples: TokenizedExamples, rows: number): Int32Array {
  const seen = new Uint8Array(rows);
  let count = 0;
  for (const id of examples.tokenIds) {
    count += 1 - seen[id]!;
    seen[id] = 1;
  }
  const found = new Int32Array(count);
  for (let row = 0, at = 0; row < rows; row++) if (seen[row] === 1) found[at++] = row;
  return found;
}

/**
 * `into`'s array of tensor `name` when it holds `length` values, else a new one. Copies of a big model
 * taken again and again (the best state, each checkpoint) overwrite the last one's arrays: a fresh array
 * of a million rows costs its page faults, ten times the copy itself.
 */
function arrayFor(into: ReadonlyMap<string, FloatTensor> | undefined, name: string, length: number): Float32Array {
  const held = into?.get(name)?.data;
  return held?.length === length ? held : new Float32Array(length);
}

/**
 * Copies `count` rows of `dim` values from `source` (rows `sourceStride` apart) to `target` (rows
 * `targetStride` apart): rows 0 … count − 1 of both, or, with `rows`, the listed rows (ascending) of
 * one side and consecutive rows of the other. Where the strides match, each run of consecutive rows
 * is one block copy: a checkpoint of two million n-gram buckets copies hundreds of millions of values.
 */
function copyRows(source: Float32Array, sourceStride: number, target: Float32Array, targetStride: number, dim: number, count: number, rows?: { ids: ArrayLike<number>; side: 'source' | 'target' }): void {
  const rowAt = (index: number): number => (rows === undefined ? index : rows.ids[index]!);
  const sourceRow = (index: number): number => (rows?.side === 'source' ? rowAt(index) : index);
  const targetRow = (index: number): number => (rows?.side === 'target' ? rowAt(index) : index);
  if (sourceStride === dim && targetStride === dim) {
    for (let start = 0; start < count; ) {
      let end = start + 1;
      while (end < count && rowAt(end) === rowAt(end - 1) + 1) end++;
      target.set(source.subarray(sourceRow(start) * dim, (sourceRow(start) + end - start) * dim), targetRow(start) * dim);
      start = end;
    }
    return;
  }
  for (let index = 0; index < count; index++) {
    const from = sourceRow(index) * sourceStride;
    const to = targetRow(index) * targetStride;
    for (let i = 0; i < dim; i++) target[to + i] = source[from + i]!;
  }
}

const longest = (examples: TokenizedExamples): number => examples.lengths.reduce((max, length) => Math.max(max, length), 0);
const setSize = (examples: TokenizedExamples | undefined) => ({ count: examples?.count ?? 0, tokenCount: examples?.tokenIds.length ?? 0, longest: examples === undefined ? 0 : longest(examples) });

export class SparseModel {
  readonly layout: SparseLayout;
  readonly memory: WasmMemory;
  readonly threads: SparseThreads;
  /** The main thread's kernel: encoding jobs it runs itself and every evaluation. */
  private readonly kernel: SparseKernel;
  private readonly trainableRows: Int32Array;
  private momentsTouched = false;

  constructor(readonly options: SparseModelOptions) {
    const { shape, train, validation } = options;
    const threads = Math.max(1, options.threads ?? availableParallelism());
    // The main thread evaluates with the scratch of thread 0 while no epoch runs.
    this.layout = planSparseLayout({ shape, stateRows: options.trainableRows.length, train: setSize(train), validation: setSize(validation), threads, batchSize: options.batchSize });
    this.memory = allocateSparseMemory(this.layout, { beta1: options.beta1, beta2: options.beta2 });
    this.trainableRows = options.trainableRows;
    const stateOf = new Int32Array(this.memory.buffer, this.layout.stateOf, shape.rows);
    options.trainableRows.forEach((row, state) => (stateOf[row] = state));
    this.threads = new SparseThreads(this.memory, this.layout);
    this.kernel = new SparseKernel(this.memory, this.layout, 0, this.threads.control);
    this.fill(this.layout.train, train);
    if (validation) this.fill(this.layout.validation, validation);
    this.kernel.normScale.fill(1);
  }

  /**
   * Sets the standardisation from the training examples' pooled vectors under the current
   * embeddings: each feature centred on its mean and divided by its standard deviation, so the head
   * reads features of unit variance whatever the vectors' scale (and leaves the pooled features cached).
   */
  async standardize(): Promise<void> {
    await this.threads.encode('train', this.layout.train.count);
    const { normMean, normScale, train } = this.kernel;
    const width = normMean.length;
    const count = this.layout.train.count;
    const sum = new Float64Array(width);
    const squares = new Float64Array(width);
    for (let example = 0; example < count; example++) {
      for (let i = 0; i < width; i++) {
        const value = train.pooled[example * width + i]!;
        sum[i]! += value;
        squares[i]! += value * value;
      }
    }
    for (let i = 0; i < width; i++) {
      const mean = sum[i]! / Math.max(1, count);
      const deviation = Math.sqrt(Math.max(0, squares[i]! / Math.max(1, count) - mean * mean));
      normMean[i] = mean;
      normScale[i] = deviation > 1e-12 ? 1 / deviation : 0; // a feature that never varies tells nothing
    }
  }

  private fill(set: ExampleSetLayout, examples: TokenizedExamples): void {
    const { buffer } = this.memory;
    new Int32Array(buffer, set.offsets, set.count + 1).set(examples.offsets);
    new Int32Array(buffer, set.tokens, set.tokenCount).set(examples.tokenIds);
    new Int32Array(buffer, set.labels, set.count).set(examples.labels);
    if (this.options.shape.multiLabel) {
      if (examples.targets === undefined) throw new Error('multi-label examples need targets');
      new Uint8Array(buffer, set.targets, examples.targets.length).set(examples.targets);
    }
  }

  /**
   * The parameters as torch names and shapes: embeddings [rows, dim] (unless left out), the buffers, the
   * head's Linear layers [out, in]. Where rows need no padding the embeddings are a view of the model's
   * memory, valid until it trains again: a trigram model's two million rows are 800 MB, and a fresh
   * copy of them, page faults and all, cost seconds of a run that only writes them to its folder.
   */
  exportState(withEmbeddings = true): Map<string, FloatTensor> {
    const { shape, stride } = this.layout;
    const { rows, dim } = shape;
    const state = new Map<string, FloatTensor>();
    if (withEmbeddings) {
      const embeddings = stride === dim ? this.kernel.embeddings.subarray(0, rows * dim) : new Float32Array(rows * dim);
      if (stride !== dim) copyRows(this.kernel.embeddings, stride, embeddings, dim, dim, rows);
      state.set(EMBEDDINGS, { shape: [rows, dim], data: embeddings });
    }
    const norm = (block: Float32Array): FloatTensor => ({ shape: [pooledSize(shape)], data: convertColumns(this.layout, block, 1, 'unpad') });
    state.set(NORM_MEAN, norm(this.kernel.normMean));
    state.set(NORM_SCALE, norm(this.kernel.normScale));
    for (const [name, tensor] of headTensors(this.layout, this.kernel.head)) state.set(name, tensor);
    return state;
  }

  /**
   * The parameters as a checkpoint keeps them: the embedding rows that can train (TRAINED_ROW_IDS,
   * TRAINED_ROWS) instead of the whole matrix, with the head and the buffers. A tenth of the bytes
   * for GloVe's 100,000 words or a million n-gram buckets, of which a run touches few. The rows go
   * into `into`'s array when it has one of their size (an earlier copy that is no longer needed).
   */
  exportTrainedState(into?: ReadonlyMap<string, FloatTensor>): Map<string, FloatTensor> {
    const { stride } = this.layout;
    const { dim } = this.layout.shape;
    const ids = this.trainableRows;
    const values = arrayFor(into, TRAINED_ROWS, ids.length * dim);
    copyRows(this.kernel.embeddings, stride, values, dim, dim, ids.length, { ids, side: 'source' });
    const state = this.exportState(false);
    state.set(TRAINED_ROW_IDS, { shape: [ids.length], data: Float32Array.from(ids) });
    state.set(TRAINED_ROWS, { shape: [ids.length, dim], data: values });
    return state;
  }

  /**
   * Writes the parameters found in `state` (torch names and shapes, as exportState or exportTrainedState
   * give them). Embeddings of fewer rows than the model's are its first rows (a new model's words; the
   * n-gram buckets after them keep what they hold).
   */
  importState(state: ReadonlyMap<string, FloatTensor>): void {
    const { shape, stride } = this.layout;
    const { rows, dim } = shape;
    const embeddings = state.get(EMBEDDINGS);
    const stored = this.kernel.embeddings;
    if (embeddings) {
      const given = embeddings.shape[0]!;
      if (given > rows || embeddings.data.length !== given * dim) throw new Error(`embeddings of shape [${embeddings.shape.join(', ')}] for a model of ${rows} × ${dim}`);
      copyRows(embeddings.data, dim, stored, stride, dim, given);
    }
    const ids = state.get(TRAINED_ROW_IDS);
    const values = state.get(TRAINED_ROWS);
    if (ids && values) copyRows(values.data, dim, stored, stride, dim, ids.data.length, { ids: ids.data, side: 'target' });
    for (const [name, block] of [[NORM_MEAN, this.kernel.normMean], [NORM_SCALE, this.kernel.normScale]] as const) {
      const tensor = state.get(name);
      if (tensor) block.set(convertColumns(this.layout, tensor.data, 1, 'pad'));
    }
    loadHeadTensors(this.layout, this.kernel.head, state);
  }

  /**
   * The optimiser state: the head's moments (torch names, torch shapes) at the head's step, and for the
   * trainable embedding rows (in `trainableRows` order) their moments and each row's own step; the
   * moments go into `into`'s arrays when they fit (an earlier copy that is no longer needed).
   */
  exportOptimizer(into?: ReadonlyMap<string, FloatTensor>): { tensors: Map<string, FloatTensor>; steps: Record<string, number> } {
    const { buffer } = this.memory;
    const { layout } = this;
    const { dim } = layout.shape;
    const tensors = new Map<string, FloatTensor>();
    const compact = (name: string, at: number): void => {
      const result = arrayFor(into, name, layout.stateRows * dim);
      copyRows(new Float32Array(buffer, at, layout.stateRows * layout.stride), layout.stride, result, dim, dim, layout.stateRows);
      tensors.set(name, { shape: [layout.stateRows, dim], data: result });
    };
    compact(`m.${EMBEDDINGS}`, layout.embeddingM);
    compact(`v.${EMBEDDINGS}`, layout.embeddingV);
    tensors.set(`steps.${EMBEDDINGS}`, { shape: [layout.stateRows], data: Float32Array.from(new Int32Array(buffer, layout.embeddingSteps, layout.stateRows)) });
    const headStep = Atomics.load(this.threads.control, Control.HeadStep);
    const steps: Record<string, number> = {};
    for (const [moment, at] of [['m', layout.headM], ['v', layout.headV]] as const) {
      for (const [name, tensor] of headTensors(layout, new Float32Array(buffer, at, layout.head.size))) {
        tensors.set(`${moment}.${name}`, tensor);
        steps[name] = headStep;
      }
    }
    return { tensors, steps };
  }

  /** Restores what exportOptimizer gave (the same data, so the same trainable rows). */
  importOptimizer(tensors: ReadonlyMap<string, FloatTensor>, steps: Readonly<Record<string, number>>): void {
    const { buffer } = this.memory;
    const { layout } = this;
    const { dim } = layout.shape;
    const expand = (name: string, at: number): void => {
      const tensor = tensors.get(name);
      if (tensor === undefined) return;
      if (tensor.data.length !== layout.stateRows * dim) throw new Error(`the checkpoint's ${name} has ${tensor.data.length / dim} rows; this run trains ${layout.stateRows}`);
      copyRows(tensor.data, dim, new Float32Array(buffer, at, layout.stateRows * layout.stride), layout.stride, dim, layout.stateRows);
      this.momentsTouched = true; // touched, and no longer zero: see touchMoments
    };
    expand(`m.${EMBEDDINGS}`, layout.embeddingM);
    expand(`v.${EMBEDDINGS}`, layout.embeddingV);
    const rowSteps = tensors.get(`steps.${EMBEDDINGS}`);
    if (rowSteps) new Int32Array(buffer, layout.embeddingSteps, layout.stateRows).set(Int32Array.from(rowSteps.data));
    for (const [moment, at] of [['m', layout.headM], ['v', layout.headV]] as const) {
      const prefix = `${moment}.`;
      const moments = new Map([...tensors].filter(([name]) => name.startsWith(prefix)).map(([name, tensor]) => [name.slice(prefix.length), tensor]));
      loadHeadTensors(layout, new Float32Array(buffer, at, layout.head.size), moments);
    }
    Atomics.store(this.threads.control, Control.HeadStep, Math.max(0, ...Object.values(steps)));
  }

  /** Caches the pooled features of the training (and validation) examples, on every thread. */
  async encodePooled(): Promise<void> {
    await this.threads.encode('train', this.layout.train.count);
    if (this.layout.validation.count > 0) await this.threads.encode('validation', this.layout.validation.count);
  }

  /** The epoch's example order (batches are consecutive runs of it). */
  setOrder(order: ArrayLike<number>): void {
    this.kernel.order.set(order);
  }

  runEpoch(job: Omit<EpochJob, 'type'>, from: EpochTotals, intervalMs: number, onTick: (totals: EpochTotals) => void): Promise<EpochTotals & { cancelled: boolean }> {
    if (job.settings.trainEmbeddings && job.settings.optimizer === 'adamw') this.touchMoments();
    return this.threads.runEpoch(job, from, intervalMs, () => onTick(this.threads.totals()));
  }

  /**
   * Faults in the embedding rows' Adam moments in address order on this thread, before the first epoch
   * that needs them. Left to the training threads, the first touches come scattered over the whole
   * range from all of them at once: in a 25,000-review trigram run (1.85 million rows that train,
   * 1.5 GB of moments) that cost 7 s of kernel time and 3 s of its 50 s of wall time; in order, 0.7 s.
   * The moments are still zero here, so zeroing them changes nothing: importOptimizer, which writes
   * them all in order, counts as their first touch.
   */
  private touchMoments(): void {
    if (this.momentsTouched) return;
    this.momentsTouched = true;
    const { embeddingM, embeddingV, stateRows, stride } = this.layout;
    for (const at of [embeddingM, embeddingV]) new Float32Array(this.memory.buffer, at, stateRows * stride).fill(0);
  }

  cancel(): void {
    this.threads.cancel();
  }

  /**
   * Logits of every validation example in order, [count × labels], in evaluation mode. Under training
   * embeddings the examples are pooled afresh on every thread (the pooling is the costly part: with
   * trigrams a review is hundreds of rows), then the head reads the cached features on this one.
   */
  async validationLogits(source: PooledSource): Promise<Float32Array> {
    const { labels } = this.layout.shape;
    const count = this.layout.validation.count;
    if (source === 'tokens' && count > 0) await this.threads.encode('validation', count);
    const logits = new Float32Array(count * labels);
    for (let example = 0; example < count; example++) logits.set(this.kernel.exampleLogits(this.kernel.validation, example), example * labels);
    return logits;
  }

  get trainableRowCount(): number {
    return this.trainableRows.length;
  }

  async dispose(): Promise<void> {
    await this.threads.close();
  }
}

/** Width of the pooled vector in torch's layout (no padding). */
function pooledSize(shape: SparseShape): number {
  return shape.pooling === 'mean-max' ? 2 * shape.dim : shape.dim;
}

/**
 * Moves a weight between the head block's padded layout [out, pooled′] and torch's [out, pooled]: the
 * pooled vector is stored as one or two rows of `stride` floats, of which the first `dim` are real.
 */
function convertColumns(layout: SparseLayout, from: Float32Array, out: number, direction: 'unpad' | 'pad'): Float32Array {
  const { stride } = layout;
  const { dim } = layout.shape;
  const parts = pooledWidth(layout.shape) / stride;
  const result = new Float32Array(out * parts * (direction === 'unpad' ? dim : stride));
  for (let o = 0; o < out; o++) {
    for (let part = 0; part < parts; part++) {
      const padded = o * parts * stride + part * stride;
      const plain = (o * parts + part) * dim;
      if (direction === 'unpad') result.set(from.subarray(padded, padded + dim), plain);
      else result.set(from.subarray(plain, plain + dim), padded);
    }
  }
  return result;
}

/** A head-sized block (the parameters, or one of Adam's moments) as torch-named tensors. */
export function headTensors(layout: SparseLayout, block: Float32Array): Map<string, FloatTensor> {
  const { head, shape } = layout;
  const { hidden, labels } = shape;
  const pooled = pooledSize(shape);
  const result = new Map<string, FloatTensor>();
  if (hidden > 0) {
    result.set('pre_classifier.weight', { shape: [hidden, pooled], data: convertColumns(layout, block.subarray(head.w1, head.b1), hidden, 'unpad') });
    result.set('pre_classifier.bias', { shape: [hidden], data: block.slice(head.b1, head.w2) });
    result.set('classifier.weight', { shape: [labels, classifierInputs(shape)], data: block.slice(head.w2, head.b2) });
  } else {
    result.set('classifier.weight', { shape: [labels, pooled], data: convertColumns(layout, block.subarray(head.w2, head.b2), labels, 'unpad') });
  }
  result.set('classifier.bias', { shape: [labels], data: block.slice(head.b2, head.size) });
  return result;
}

/** Writes the head tensors found in `tensors` (torch names and shapes) into a head-sized block. */
export function loadHeadTensors(layout: SparseLayout, block: Float32Array, tensors: ReadonlyMap<string, FloatTensor>): void {
  const { head, shape } = layout;
  const put = (name: string, at: number, padRows?: number): void => {
    const tensor = tensors.get(name);
    if (tensor) block.set(padRows === undefined ? tensor.data : convertColumns(layout, tensor.data, padRows, 'pad'), at);
  };
  if (shape.hidden > 0) {
    put('pre_classifier.weight', head.w1, shape.hidden);
    put('pre_classifier.bias', head.b1);
    put('classifier.weight', head.w2);
  } else {
    put('classifier.weight', head.w2, shape.labels);
  }
  put('classifier.bias', head.b2);
}
