// The sparse classifier's arithmetic over its shared memory (layout.ts): pooling the token vectors of
// an example (no padding: each example is its own run of ids), the head forward and backward, and the
// updates — AdamW or SGD of the head and of only the embedding rows a batch touched (lazy, per-row
// bias correction, like torch's SparseAdam), with global-norm clipping over the batch's gradient.
// One instance per thread; the main thread uses one to encode and evaluate.
import { classifierInputs, pooledWidth, type ExampleSetLayout, type SparseLayout, type ThreadLayout } from './layout';
import { instantiateSimdKernels, SlotBlock, type SimdKernels } from './simdKernels';
import type { WasmMemory } from '../word2vec/wasm/webAssemblyApi';

/** Index in the shared control Int32Array. */
export const Control = {
  /** The next batch of the epoch a thread may claim (Atomics.add). */
  NextBatch: 0,
  /** Non-zero: every thread stops after its current batch. */
  Cancel: 1,
  /** Adam updates of the head so far (its bias correction). */
  HeadStep: 2,
} as const;
export const CONTROL_FIELDS = 3;

/** How a stage trains, the same for every thread. */
export interface TrainSettings {
  readonly trainEmbeddings: boolean;
  readonly optimizer: 'adamw' | 'sgd';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  /** 0: no clipping. */
  readonly maxGradNorm: number;
  readonly dropout: number;
}

/**
 * Where the head's pooled features come from: the set's `pooled` block ('cached': pooled once while the
 * embeddings are frozen, or by the threads just before an evaluation), or the token rows at each step.
 */
export type PooledSource = 'cached' | 'tokens';

export class ExampleSetViews {
  readonly offsets: Int32Array;
  readonly tokens: Int32Array;
  readonly labels: Int32Array;
  readonly targets: Uint8Array;
  readonly pooled: Float32Array;

  constructor(
    buffer: SharedArrayBuffer,
    readonly layout: ExampleSetLayout,
    labelCount: number,
    pooledSize: number,
  ) {
    this.offsets = new Int32Array(buffer, layout.offsets, layout.count + 1);
    this.tokens = new Int32Array(buffer, layout.tokens, layout.tokenCount);
    this.labels = new Int32Array(buffer, layout.labels, layout.count);
    this.targets = new Uint8Array(buffer, layout.targets, layout.targets === 0 ? 0 : layout.count * labelCount);
    this.pooled = new Float32Array(buffer, layout.pooled, layout.count * pooledSize);
  }
}

export class SparseKernel {
  readonly embeddings: Float32Array;
  readonly head: Float32Array;
  /** The standardisation of the pooled vector (per lane: subtract the mean, multiply by the scale). */
  readonly normMean: Float32Array;
  readonly normScale: Float32Array;
  readonly train: ExampleSetViews;
  readonly validation: ExampleSetViews;
  readonly order: Int32Array;
  private readonly headM: Float32Array;
  private readonly headV: Float32Array;
  private readonly headDecays: Uint8Array;
  private readonly simd: SimdKernels;
  // this thread's scratch
  private readonly pooled: Float32Array;
  private readonly argMax: Int32Array;
  private readonly hiddenValues: Float32Array;
  private readonly dropped: Float32Array;
  private readonly keep: Float32Array;
  readonly logits: Float32Array;
  private readonly dLogits: Float32Array;
  private readonly dInputs: Float32Array;
  private readonly dHidden: Float32Array;
  private readonly dPooled: Float32Array;
  private readonly headGradient: Float32Array;
  private readonly scratch: ThreadLayout;
  /** i32 view of the slot block: the slot count the SIMD kernels keep */
  private readonly slotBlock: Int32Array;
  private random: () => number = () => 0.5;
  private dropoutOn = false;

  constructor(
    memory: WasmMemory,
    readonly layout: SparseLayout,
    thread: number,
    private readonly control: Int32Array,
  ) {
    const { buffer } = memory;
    const { shape, head } = layout;
    const { rows, labels, hidden } = shape;
    const pooled = pooledWidth(shape);
    const inputs = classifierInputs(shape);
    this.simd = instantiateSimdKernels(memory);
    this.embeddings = new Float32Array(buffer, layout.embeddings, rows * layout.stride);
    this.head = new Float32Array(buffer, layout.headParameters, head.size);
    this.normMean = new Float32Array(buffer, layout.normMean, pooled);
    this.normScale = new Float32Array(buffer, layout.normScale, pooled);
    this.headM = new Float32Array(buffer, layout.headM, head.size);
    this.headV = new Float32Array(buffer, layout.headV, head.size);
    this.order = new Int32Array(buffer, layout.order, layout.train.count);
    this.train = new ExampleSetViews(buffer, layout.train, labels, pooled);
    this.validation = new ExampleSetViews(buffer, layout.validation, labels, pooled);
    // Biases are not decayed (isNoDecayParameter); the weights are.
    this.headDecays = new Uint8Array(head.size).fill(1);
    this.headDecays.fill(0, head.b1, head.w2);
    this.headDecays.fill(0, head.b2, head.size);
    const scratch: ThreadLayout = layout.threads[thread]!;
    this.scratch = scratch;
    this.slotBlock = new Int32Array(buffer, scratch.slotBlock, 8);
    this.pooled = new Float32Array(buffer, scratch.pooled, pooled);
    this.argMax = new Int32Array(buffer, scratch.argMax, layout.stride);
    this.hiddenValues = new Float32Array(buffer, scratch.hidden, hidden);
    this.dropped = new Float32Array(buffer, scratch.dropped, inputs);
    this.keep = new Float32Array(buffer, scratch.keep, inputs);
    this.logits = new Float32Array(buffer, scratch.logits, labels);
    this.dLogits = new Float32Array(buffer, scratch.dLogits, labels);
    this.dInputs = new Float32Array(buffer, scratch.dInputs, inputs);
    this.dHidden = new Float32Array(buffer, scratch.dHidden, hidden);
    this.dPooled = new Float32Array(buffer, scratch.dPooled, pooled);
    this.headGradient = new Float32Array(buffer, scratch.headGradient, head.size);
  }

  /** The dropout masks' generator (reseeded per epoch, so a one-thread run repeats exactly). */
  setRandom(random: () => number): void {
    this.random = random;
  }

  /** Pools the token vectors of `example` into this thread's pooled buffer (and the max's winners). */
  poolTokens(set: ExampleSetViews, example: number): Float32Array {
    const { layout, scratch } = this;
    const { pooling } = layout.shape;
    const start = set.offsets[example]!;
    const count = set.offsets[example + 1]! - start;
    const tokens = set.layout.tokens + start * 4;
    if (pooling !== 'max') this.simd.poolMean(tokens, count, layout.embeddings, layout.stride, scratch.pooled, 1 / Math.max(1, count));
    if (pooling !== 'mean') this.simd.poolMax(tokens, count, layout.embeddings, layout.stride, scratch.pooled + (pooling === 'mean-max' ? layout.stride * 4 : 0), scratch.argMax);
    return this.pooled;
  }

  /** Caches the pooled features of every example of `set` (the embeddings are frozen for a while). */
  encodePooled(set: ExampleSetViews, from = 0, to = set.layout.count): void {
    const width = pooledWidth(this.layout.shape);
    for (let example = from; example < to; example++) set.pooled.set(this.poolTokens(set, example), example * width);
  }

  /** The pooled vector the head reads: pooled (or the cached copy), then standardised (pooled_norm). */
  private pooledOf(set: ExampleSetViews, example: number, source: PooledSource): Float32Array {
    const { pooled, normMean, normScale } = this;
    const width = pooled.length;
    if (source === 'tokens') this.poolTokens(set, example);
    else pooled.set(set.pooled.subarray(example * width, (example + 1) * width));
    for (let i = 0; i < width; i++) pooled[i] = (pooled[i]! - normMean[i]!) * normScale[i]!;
    return pooled;
  }

  /** Logits of `pooled` into `this.logits`: [dense → ReLU] → dropout (when training) → classifier. */
  private headForward(pooled: Float32Array, dropout: number): Float32Array {
    const { head, layout, hiddenValues, dropped, keep, logits } = this;
    const { w1, b1, w2, b2 } = layout.head;
    const { hidden, labels } = layout.shape;
    const inputs = dropped.length;
    const width = pooled.length;
    let input: Float32Array = pooled;
    if (hidden > 0) {
      for (let h = 0; h < hidden; h++) {
        let sum = head[b1 + h]!;
        const base = w1 + h * width;
        for (let i = 0; i < width; i++) sum += head[base + i]! * pooled[i]!;
        hiddenValues[h] = sum > 0 ? sum : 0;
      }
      input = hiddenValues;
    }
    if (dropout > 0) {
      const scale = 1 / (1 - dropout);
      for (let i = 0; i < inputs; i++) {
        keep[i] = this.random() >= dropout ? scale : 0;
        dropped[i] = input[i]! * keep[i]!;
      }
    } else {
      dropped.set(input);
    }
    for (let l = 0; l < labels; l++) {
      let sum = head[b2 + l]!;
      const base = w2 + l * inputs;
      for (let i = 0; i < inputs; i++) sum += head[base + i]! * dropped[i]!;
      logits[l] = sum;
    }
    return logits;
  }

  /** Logits of one example from its cached pooled features, in evaluation mode (no dropout), in `this.logits`. */
  exampleLogits(set: ExampleSetViews, example: number): Float32Array {
    return this.headForward(this.pooledOf(set, example, 'cached'), 0);
  }

  /**
   * The loss of `logits` against example `example`'s targets, and its gradient (scaled by `scale`,
   * 1 / batch size) into dLogits: softmax cross-entropy, or the mean binary cross-entropy over labels.
   */
  private lossAndGradient(set: ExampleSetViews, example: number, scale: number): number {
    const { logits, dLogits } = this;
    const labels = logits.length;
    if (this.layout.shape.multiLabel) {
      let loss = 0;
      const row = example * labels;
      for (let l = 0; l < labels; l++) {
        const x = logits[l]!;
        const y = set.targets[row + l]!;
        // log(1 + e^−|x|) + max(x, 0) − x·y: stable for any x (torch's BCEWithLogitsLoss)
        loss += Math.log1p(Math.exp(-Math.abs(x))) + (x > 0 ? x : 0) - x * y;
        dLogits[l] = (scale / labels) * (1 / (1 + Math.exp(-x)) - y);
      }
      return loss / labels;
    }
    let largest = logits[0]!;
    for (let l = 1; l < labels; l++) if (logits[l]! > largest) largest = logits[l]!;
    let total = 0;
    for (let l = 0; l < labels; l++) total += Math.exp(logits[l]! - largest);
    const target = set.labels[example]!;
    for (let l = 0; l < labels; l++) dLogits[l] = (scale * Math.exp(logits[l]! - largest)) / total - (l === target ? scale : 0);
    return Math.log(total) + largest - logits[target]!;
  }

  /** Backward from dLogits through the head into headGradient, and into dPooled when the embeddings train. */
  private headBackward(pooled: Float32Array, intoPooled: boolean): void {
    const { head, layout, hiddenValues, dropped, keep, dLogits, dInputs, dHidden, dPooled, headGradient } = this;
    const { w1, b1, w2, b2 } = layout.head;
    const { hidden, labels } = layout.shape;
    const inputs = dropped.length;
    const width = pooled.length;
    dInputs.fill(0);
    for (let l = 0; l < labels; l++) {
      const g = dLogits[l]!;
      headGradient[b2 + l]! += g;
      const base = w2 + l * inputs;
      for (let i = 0; i < inputs; i++) {
        headGradient[base + i]! += g * dropped[i]!;
        dInputs[i]! += g * head[base + i]!;
      }
    }
    if (this.dropoutOn) for (let i = 0; i < inputs; i++) dInputs[i]! *= keep[i]!;
    if (hidden > 0) {
      for (let h = 0; h < hidden; h++) dHidden[h] = hiddenValues[h]! > 0 ? dInputs[h]! : 0;
      if (intoPooled) dPooled.fill(0);
      for (let h = 0; h < hidden; h++) {
        const g = dHidden[h]!;
        if (g === 0) continue;
        headGradient[b1 + h]! += g;
        const base = w1 + h * width;
        for (let i = 0; i < width; i++) {
          headGradient[base + i]! += g * pooled[i]!;
          if (intoPooled) dPooled[i]! += g * head[base + i]!;
        }
      }
    } else if (intoPooled) {
      dPooled.set(dInputs);
    }
  }

  /** Adds dPooled to the rows of the example's tokens: 1/n of the mean's part to each, the max's to its winners. */
  private scatter(set: ExampleSetViews, example: number): void {
    const { layout, scratch, dPooled, normScale } = this;
    const { pooling } = layout.shape;
    const start = set.offsets[example]!;
    const count = set.offsets[example + 1]! - start;
    for (let i = 0; i < dPooled.length; i++) dPooled[i]! *= normScale[i]!; // back through the standardisation
    if (pooling !== 'max') this.simd.scatterMean(set.layout.tokens + start * 4, count, scratch.dPooled, 1 / Math.max(1, count), scratch.slotBlock);
    if (pooling !== 'mean') this.simd.scatterMax(scratch.argMax, scratch.dPooled + (pooling === 'mean-max' ? layout.stride * 4 : 0), layout.stride, scratch.slotBlock);
  }

  /**
   * One optimisation step on the examples `order[from … to)` of the training set at `learningRate`;
   * returns the summed loss (the batch's mean loss × its size).
   */
  trainBatch(from: number, to: number, learningRate: number, settings: TrainSettings, source: PooledSource): number {
    const { train, order, headGradient } = this;
    const count = to - from;
    const scale = 1 / count;
    const intoEmbeddings = settings.trainEmbeddings && source === 'tokens';
    this.dropoutOn = settings.dropout > 0;
    headGradient.fill(0);
    let lossSum = 0;
    for (let position = from; position < to; position++) {
      const example = order[position]!;
      const pooled = this.pooledOf(train, example, source);
      this.headForward(pooled, settings.dropout);
      lossSum += this.lossAndGradient(train, example, scale);
      this.headBackward(pooled, intoEmbeddings);
      if (intoEmbeddings) this.scatter(train, example);
    }
    const clip = Number.isFinite(lossSum) ? this.clipCoefficient(settings.maxGradNorm) : undefined;
    if (clip !== undefined) {
      if (settings.optimizer === 'sgd') this.sgd(learningRate * clip);
      else this.adamW(learningRate, clip, settings);
    }
    this.simd.releaseSlots(this.scratch.slotBlock);
    return lossSum;
  }

  /** torch's clip_grad_norm_ coefficient for this batch's gradient; undefined when the norm is not finite (skip the step). */
  private clipCoefficient(maxNorm: number): number | undefined {
    let squares = 0;
    for (const value of this.headGradient) squares += value * value;
    squares += this.simd.sumSquares(this.scratch.gradient, this.slotBlock[SlotBlock.count / 4]! * this.layout.stride);
    const norm = Math.sqrt(squares);
    if (!Number.isFinite(norm)) return undefined;
    const coefficient = maxNorm / (norm + 1e-6);
    return maxNorm > 0 && coefficient < 1 ? coefficient : 1;
  }

  private sgd(learningRate: number): void {
    const { head, headGradient } = this;
    for (let i = 0; i < head.length; i++) head[i]! -= learningRate * headGradient[i]!;
    this.simd.sgdRows(this.scratch.slotBlock, learningRate);
  }

  /** AdamW as torch (engine/training/adamW.ts), the head at its own step, each touched row at its own. */
  private adamW(learningRate: number, clip: number, { beta1, beta2, epsilon, weightDecay }: TrainSettings): void {
    const { head, headGradient, headM, headV, headDecays } = this;
    const step = Atomics.add(this.control, Control.HeadStep, 1) + 1;
    const stepSize = learningRate / (1 - beta1 ** step);
    const correction = Math.sqrt(1 - beta2 ** step);
    const decay = 1 - learningRate * weightDecay;
    for (let i = 0; i < head.length; i++) {
      const g = headGradient[i]! * clip;
      const m = (headM[i] = beta1 * headM[i]! + (1 - beta1) * g);
      const v = (headV[i] = beta2 * headV[i]! + (1 - beta2) * g * g);
      const p = headDecays[i] ? head[i]! * decay : head[i]!;
      head[i] = p - (stepSize * m) / (Math.sqrt(v) / correction + epsilon);
    }
    this.simd.adamRows(this.scratch.slotBlock, this.layout.stateBlock, learningRate, beta1, beta2, epsilon, decay, clip);
  }
}
