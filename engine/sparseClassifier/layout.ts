// Where everything of a sparse classifier run lives in its one shared WebAssembly.Memory: the
// parameters, the optimiser state, the tokenised data, the cached pooled features and every thread's
// scratch. Every thread (and the main thread, which evaluates) maps the same memory, so the model is
// never copied between them: threads update it lock-free (Hogwild, as fastText and word2vec do).
import { webAssembly, type WasmMemory } from '../word2vec/wasm/webAssemblyApi';
import { SLOT_BLOCK_BYTES, SlotBlock, STATE_BLOCK_BYTES, StateBlock } from './simdKernels';

export type Pooling = 'mean' | 'max' | 'mean-max';

/** The model's sizes; `rows` = vocabulary + n-gram buckets. */
export interface SparseShape {
  readonly rows: number;
  readonly dim: number;
  readonly pooling: Pooling;
  /** Width of the hidden ReLU layer; 0 is a linear head. */
  readonly hidden: number;
  readonly labels: number;
  readonly multiLabel: boolean;
}

/** Floats per stored row: the dimension rounded up to whole v128 lanes; the padding stays 0. */
export const rowStride = (dim: number): number => Math.ceil(dim / 4) * 4;
/** Width of the pooled vector as stored: one padded row per pooling (mean, max). */
export const pooledWidth = (shape: Pick<SparseShape, 'dim' | 'pooling'>): number => (shape.pooling === 'mean-max' ? 2 : 1) * rowStride(shape.dim);
export const classifierInputs = (shape: SparseShape): number => (shape.hidden > 0 ? shape.hidden : pooledWidth(shape));

/**
 * The head's parameters, one contiguous float block: `pre_classifier.weight` [H, P'] and `.bias` [H]
 * when H > 0, `classifier.weight` [L, C'], `.bias` [L], Linear weights [out, in] as in torch but with
 * the padded pooled width P' (sparseState.ts converts to and from torch's shapes). Offsets in floats.
 */
export interface HeadLayout {
  readonly w1: number;
  readonly b1: number;
  readonly w2: number;
  readonly b2: number;
  readonly size: number;
}

export function headLayout(shape: SparseShape): HeadLayout {
  const pooled = pooledWidth(shape);
  const w1 = 0;
  const b1 = w1 + shape.hidden * pooled;
  const w2 = b1 + shape.hidden;
  const b2 = w2 + shape.labels * classifierInputs(shape);
  return { w1, b1, w2, b2, size: b2 + shape.labels };
}

/** One set of examples: token ids back to back, offsets per example, targets. */
export interface ExampleSetLayout {
  readonly count: number;
  readonly tokenCount: number;
  /** i32 [count + 1] */
  readonly offsets: number;
  /** i32 [tokenCount] */
  readonly tokens: number;
  /** i32 [count]: the class id (single-label) */
  readonly labels: number;
  /** u8 [count × labels]: 1 where the label applies (multi-label); 0 bytes otherwise */
  readonly targets: number;
  /** f32 [count × pooled]: the pooled token vectors, while the embeddings are frozen */
  readonly pooled: number;
}

/** One thread's scratch (byte offsets); `slots` rows of gradient for the embedding rows a batch touches. */
export interface ThreadLayout {
  readonly pooled: number;
  /** i32 [stride]: which token row won each lane of the max */
  readonly argMax: number;
  readonly hidden: number;
  readonly dropped: number;
  readonly keep: number;
  readonly logits: number;
  readonly dLogits: number;
  readonly dInputs: number;
  readonly dHidden: number;
  readonly dPooled: number;
  /** f32 [head.size]: the batch's head gradient */
  readonly headGradient: number;
  /** The slot block the SIMD kernels read (simdKernels.ts SlotBlock): the arrays below, the slot count */
  readonly slotBlock: number;
  /** i32 [rows]: slot of a row in `gradient`, −1 when the batch has not touched it */
  readonly slotOf: number;
  /** i32 [slots]: the row of each slot */
  readonly slotRows: number;
  /** f32 [slots × stride] */
  readonly gradient: number;
  readonly slots: number;
}

export interface SparseLayout {
  readonly shape: SparseShape;
  readonly stride: number;
  readonly head: HeadLayout;
  /** f32 [rows × stride] */
  readonly embeddings: number;
  /** f32 [head.size] */
  readonly headParameters: number;
  /** f32 [pooled′] each: what the pooled vector is shifted by and multiplied with before the head */
  readonly normMean: number;
  readonly normScale: number;
  /** Adam state: m and v of the head, and of each trainable embedding row (state rows). */
  readonly headM: number;
  readonly headV: number;
  /** i32 [rows]: the state row of an embedding row, −1 for rows that never train */
  readonly stateOf: number;
  readonly stateRows: number;
  readonly embeddingM: number;
  readonly embeddingV: number;
  /** i32 [stateRows]: Adam updates of each state row (its own bias correction) */
  readonly embeddingSteps: number;
  /** f32 pairs [corrections]: 1/(1−β1^t), √(1−β2^t) for t = 0 … corrections − 1 */
  readonly corrections: number;
  readonly correctionCount: number;
  /** The state block the SIMD kernels read (simdKernels.ts StateBlock) */
  readonly stateBlock: number;
  /** i32 [train count]: the epoch's example order; batches are consecutive runs of it */
  readonly order: number;
  readonly train: ExampleSetLayout;
  readonly validation: ExampleSetLayout;
  readonly threads: readonly ThreadLayout[];
  readonly bytes: number;
}

export interface ExampleSetSize {
  readonly count: number;
  readonly tokenCount: number;
  /** Tokens of the longest example: a batch touches at most batchSize × this many rows. */
  readonly longest: number;
}

export interface LayoutRequest {
  readonly shape: SparseShape;
  /** Adam bias corrections tabulated: beyond the last, 1 − β^t is 1 to float precision. */
  readonly correctionCount?: number;
  /** Embedding rows that can train (the rest never get optimiser state). */
  readonly stateRows: number;
  readonly train: ExampleSetSize;
  readonly validation: ExampleSetSize;
  readonly threads: number;
  readonly batchSize: number;
}

const PAGE = 65536;
const MAX_PAGES = 65536;

/** Lays the memory out; every array starts 16-byte aligned (whole-row v128 loads). */
export function planSparseLayout({ shape, stateRows, train, validation, threads, batchSize, correctionCount = 32768 }: LayoutRequest): SparseLayout {
  let end = 64;
  const take = (bytes: number): number => {
    const at = end;
    end = Math.ceil((end + bytes) / 16) * 16;
    return at;
  };
  const { rows, dim, labels, hidden } = shape;
  const stride = rowStride(dim);
  const head = headLayout(shape);
  const pooled = pooledWidth(shape);
  const inputs = classifierInputs(shape);
  const exampleSet = (size: ExampleSetSize): ExampleSetLayout => ({
    count: size.count,
    tokenCount: size.tokenCount,
    offsets: take((size.count + 1) * 4),
    tokens: take(size.tokenCount * 4),
    labels: take(size.count * 4),
    targets: take(shape.multiLabel ? size.count * labels : 0),
    pooled: take(size.count * pooled * 4),
  });
  const embeddings = take(rows * stride * 4);
  const headParameters = take(head.size * 4);
  const normMean = take(pooled * 4);
  const normScale = take(pooled * 4);
  const headM = take(head.size * 4);
  const headV = take(head.size * 4);
  const stateOf = take(rows * 4);
  const embeddingM = take(stateRows * stride * 4);
  const embeddingV = take(stateRows * stride * 4);
  const embeddingSteps = take(stateRows * 4);
  const corrections = take(correctionCount * 8);
  const stateBlock = take(STATE_BLOCK_BYTES);
  const order = take(train.count * 4);
  const trainSet = exampleSet(train);
  const validationSet = exampleSet(validation);
  const slots = Math.max(1, Math.min(rows, batchSize * Math.max(train.longest, 1)));
  const threadLayouts: ThreadLayout[] = [];
  for (let thread = 0; thread < threads; thread++) {
    threadLayouts.push({
      pooled: take(pooled * 4),
      argMax: take(stride * 4),
      hidden: take(hidden * 4),
      dropped: take(inputs * 4),
      keep: take(inputs * 4),
      logits: take(labels * 4),
      dLogits: take(labels * 4),
      dInputs: take(inputs * 4),
      dHidden: take(hidden * 4),
      dPooled: take(pooled * 4),
      headGradient: take(head.size * 4),
      slotBlock: take(SLOT_BLOCK_BYTES),
      slotOf: take(rows * 4),
      slotRows: take(slots * 4),
      gradient: take(slots * stride * 4),
      slots,
    });
  }
  return {
    shape,
    stride,
    head,
    embeddings,
    headParameters,
    normMean,
    normScale,
    headM,
    headV,
    stateOf,
    stateRows,
    embeddingM,
    embeddingV,
    embeddingSteps,
    corrections,
    correctionCount,
    stateBlock,
    order,
    train: trainSet,
    validation: validationSet,
    threads: threadLayouts,
    bytes: end,
  };
}

/**
 * A shared memory for `layout`, zero-filled except for what the SIMD kernels find through their
 * blocks: each thread's slot block (slot map at −1: nothing touched) and the state block with the
 * bias corrections of Adam's `beta1`, `beta2`.
 */
export function allocateSparseMemory(layout: SparseLayout, { beta1 = 0.9, beta2 = 0.999 } = {}): WasmMemory {
  const pages = Math.ceil(layout.bytes / PAGE);
  if (pages > MAX_PAGES) {
    const { rows, dim } = layout.shape;
    throw new Error(
      `the classifier needs ${(layout.bytes / 2 ** 30).toFixed(1)} GiB of training memory (${rows} embedding rows × ${dim} dimensions, with the optimiser's two moments); ` +
        'the limit is 4 GiB: lower model.max_vectors or model.ngram_buckets',
    );
  }
  const memory = new webAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const { buffer } = memory;
  const int32 = (at: number, field: number, value: number): void => void new DataView(buffer, at + field, 4).setInt32(0, value, true);
  for (const thread of layout.threads) {
    new Int32Array(buffer, thread.slotOf, layout.shape.rows).fill(-1);
    int32(thread.slotBlock, SlotBlock.slotOf, thread.slotOf);
    int32(thread.slotBlock, SlotBlock.slotRows, thread.slotRows);
    int32(thread.slotBlock, SlotBlock.gradient, thread.gradient);
    int32(thread.slotBlock, SlotBlock.count, 0);
    int32(thread.slotBlock, SlotBlock.embeddings, layout.embeddings);
    int32(thread.slotBlock, SlotBlock.stride, layout.stride);
  }
  new Int32Array(buffer, layout.stateOf, layout.shape.rows).fill(-1);
  int32(layout.stateBlock, StateBlock.stateOf, layout.stateOf);
  int32(layout.stateBlock, StateBlock.m, layout.embeddingM);
  int32(layout.stateBlock, StateBlock.v, layout.embeddingV);
  int32(layout.stateBlock, StateBlock.steps, layout.embeddingSteps);
  int32(layout.stateBlock, StateBlock.corrections, layout.corrections);
  int32(layout.stateBlock, StateBlock.size, layout.correctionCount);
  const corrections = new Float32Array(buffer, layout.corrections, layout.correctionCount * 2);
  for (let t = 1; t < layout.correctionCount; t++) {
    corrections[2 * t] = 1 / (1 - beta1 ** t);
    corrections[2 * t + 1] = Math.sqrt(1 - beta2 ** t);
  }
  return memory;
}
