// The WebAssembly kernels (engine/word2vec/wasm/word2vecKernels.wat) against a scalar TypeScript
// transcription of word2vec.c's and gensim's updates that rounds to float32 at every operation, in the
// kernels' order (four-lane blocks in two accumulators, single lanes, then the scalar tail): the
// matrices and the float64 loss must agree bit for bit. Dims 6 (one lane and a tail), 16 (one 4×-unrolled
// block), 100 and 101 (blocks, single lanes, a tail); windows 1 and 5, with the kernels' own random
// draws (window, negatives) replayed from the same generator.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildHuffmanTree, type HuffmanPaths } from '../../engine/word2vec/huffmanTree';
import { Word2VecRandom } from '../../engine/word2vec/random';
import { buildNegativeLogSigmoidTable, buildSigmoidTable, EXP_TABLE_SIZE, MAX_EXP } from '../../engine/word2vec/sigmoidTable';
import { allocateTrainingMemory, epochRandomState, kernelSettings, planTrainingLayout, writeHuffmanPaths, type TrainingMemory } from '../../engine/word2vec/trainingMemory';
import { kernelModule, Word2VecKernels } from '../../engine/word2vec/wasm/kernelModule';

const f32 = Math.fround;
const VOCABULARY = 12;
const TABLE_SIZE = 64;
const SENTENCE = [3, 0, 7, 1, 1, 4, 11, 2, 0, 9, 5, 0, 8, 6, 2, 10, 3, 1, 0, 4, 7, 2, 5, 0, 1];
const ALPHA = f32(0.05);
const SIGMOID = Float32Array.from([...buildSigmoidTable(), 1 / (1 + Math.exp(-MAX_EXP))]);
const LOSS_TABLE = buildNegativeLogSigmoidTable();
const SCALE32 = f32(EXP_TABLE_SIZE / MAX_EXP / 2);
const SCALE64 = EXP_TABLE_SIZE / MAX_EXP / 2;

interface Case {
  algorithm: 'skipgram' | 'cbow';
  dim: number;
  window: number;
  negative: number;
  shareNegatives: boolean;
  hs: boolean;
}

/** word2vec.c's generator, with the kernels' draws. */
class Generator {
  constructor(private state: bigint) {}
  below(bound: number): number {
    this.state = BigInt.asUintN(64, this.state * 25214903917n + 11n);
    return Number(((this.state >> 32n) * BigInt(bound)) >> 32n);
  }
}

/** The scalar kernels over plain Float32Arrays: what word2vecKernels.wat computes, one rounding at a time. */
class Reference {
  loss = 0;
  predictions = 0;
  private sentenceLoss = 0;
  private readonly gradient: Float32Array;
  private readonly hidden: Float32Array;

  constructor(
    private readonly c: Case,
    private readonly m: { input: Float32Array; output: Float32Array; hsOutput: Float32Array; table: Int32Array; huffman: HuffmanPaths },
    private readonly random: Generator,
  ) {
    this.gradient = new Float32Array(c.dim);
    this.hidden = new Float32Array(c.dim);
  }

  private dot(a: Float32Array, ai: number, b: Float32Array, bi: number): number {
    const { dim } = this.c;
    const simd = dim & ~3;
    const acc = [0, 0, 0, 0];
    const acc2 = [0, 0, 0, 0];
    let i = 0;
    for (; i + 16 <= simd; i += 16) {
      for (let k = 0; k < 4; k++) {
        const into = k % 2 === 0 ? acc : acc2;
        for (let lane = 0; lane < 4; lane++) into[lane] = f32(into[lane]! + f32(a[ai + i + 4 * k + lane]! * b[bi + i + 4 * k + lane]!));
      }
    }
    for (; i < simd; i += 4) for (let lane = 0; lane < 4; lane++) acc[lane] = f32(acc[lane]! + f32(a[ai + i + lane]! * b[bi + i + lane]!));
    let tail = 0;
    for (; i < dim; i++) tail = f32(tail + f32(a[ai + i]! * b[bi + i]!));
    const sum = acc.map((value, lane) => f32(value + acc2[lane]!));
    return f32(f32(f32(sum[0]! + sum[1]!) + f32(sum[2]! + sum[3]!)) + tail);
  }

  private predict(inRow: Float32Array, inAt: number, out: Float32Array, outAt: number, label: 0 | 1, skipOutside: boolean): void {
    const f = this.dot(inRow, inAt, out, outAt);
    let g: number;
    if (f > MAX_EXP) g = f32((label - 1) * ALPHA);
    else if (f < -MAX_EXP) g = f32(label * ALPHA);
    else g = f32(f32(label - SIGMOID[Math.trunc(f32(f32(f + MAX_EXP) * SCALE32))]!) * ALPHA);
    if (skipOutside && Math.abs(f) >= MAX_EXP) g = 0;
    const x = label === 1 ? f : -f;
    const p = (x + MAX_EXP) * SCALE64;
    if (p <= 0) this.sentenceLoss -= x;
    else if (p >= EXP_TABLE_SIZE) this.sentenceLoss += LOSS_TABLE[EXP_TABLE_SIZE]!;
    else {
      const k = Math.trunc(p);
      this.sentenceLoss = this.sentenceLoss + LOSS_TABLE[k]! + (LOSS_TABLE[k + 1]! - LOSS_TABLE[k]!) * (p - k);
    }
    if (g === 0) return;
    for (let i = 0; i < this.c.dim; i++) {
      const value = out[outAt + i]!;
      this.gradient[i] = f32(this.gradient[i]! + f32(g * value));
      out[outAt + i] = f32(value + f32(g * inRow[inAt + i]!));
    }
  }

  private drawNegatives(word: number): number[] {
    const drawn: number[] = [];
    for (let d = 0; d < this.c.negative; d++) {
      const target = this.m.table[this.random.below(TABLE_SIZE)]!;
      if (target !== word) drawn.push(target);
    }
    return drawn;
  }

  private hierarchicalSoftmax(inRow: Float32Array, inAt: number, word: number): void {
    const { pathStart, paths } = this.m.huffman;
    for (let at = pathStart[word]!; at < pathStart[word + 1]!; at++) this.predict(inRow, inAt, this.m.hsOutput, (paths[at]! >> 1) * this.c.dim, (1 - (paths[at]! & 1)) as 0 | 1, true);
  }

  /** The positive, then `negatives` or (undefined) fresh draws. */
  private negativeSampling(inRow: Float32Array, inAt: number, word: number, negatives: number[] | undefined): void {
    const { dim } = this.c;
    this.predict(inRow, inAt, this.m.output, word * dim, 1, false);
    if (negatives) {
      for (const target of negatives) this.predict(inRow, inAt, this.m.output, target * dim, 0, false);
      return;
    }
    for (let d = 0; d < this.c.negative; d++) {
      const target = this.m.table[this.random.below(TABLE_SIZE)]!;
      if (target !== word) this.predict(inRow, inAt, this.m.output, target * dim, 0, false);
    }
  }

  private contextWindow(position: number, length: number): [number, number] {
    const reduced = this.random.below(this.c.window);
    return [Math.max(0, position - this.c.window + reduced), Math.min(length, position + this.c.window + 1 - reduced)];
  }

  train(sentence: readonly number[]): void {
    const { dim } = this.c;
    const { input } = this.m;
    this.sentenceLoss = 0;
    let pairs = 0;
    sentence.forEach((word, position) => {
      const [from, to] = this.contextWindow(position, sentence.length);
      const contexts = [];
      for (let c = from; c < to; c++) if (c !== position) contexts.push(sentence[c]! * dim);
      if (this.c.algorithm === 'skipgram') {
        const shared = this.c.shareNegatives ? this.drawNegatives(word) : undefined;
        for (const at of contexts) {
          this.gradient.fill(0);
          if (this.c.hs) this.hierarchicalSoftmax(input, at, word);
          if (this.c.negative > 0) this.negativeSampling(input, at, word, shared);
          for (let i = 0; i < dim; i++) input[at + i] = f32(input[at + i]! + this.gradient[i]!);
          pairs++;
        }
        return;
      }
      if (contexts.length === 0) return;
      this.hidden.fill(0);
      for (const at of contexts) for (let i = 0; i < dim; i++) this.hidden[i] = f32(this.hidden[i]! + input[at + i]!);
      const scale = f32(1 / contexts.length);
      for (let i = 0; i < dim; i++) this.hidden[i] = f32(this.hidden[i]! * scale);
      this.gradient.fill(0);
      if (this.c.hs) this.hierarchicalSoftmax(this.hidden, 0, word);
      if (this.c.negative > 0) this.negativeSampling(this.hidden, 0, word, this.drawNegatives(word));
      for (const at of contexts) for (let i = 0; i < dim; i++) input[at + i] = f32(input[at + i]! + this.gradient[i]!);
      pairs++;
    });
    this.loss += this.sentenceLoss;
    this.predictions += pairs;
  }
}

async function runCase(c: Case): Promise<void> {
  const random = new Word2VecRandom(c.dim * 31 + c.window);
  const counts = Array.from({ length: VOCABULARY }, () => 1 + Math.floor(random.nextFloat() * 50));
  const huffman = buildHuffmanTree(counts);
  const layout = planTrainingLayout({ vocabularySize: VOCABULARY, dim: c.dim, negative: c.negative, tableSize: TABLE_SIZE, huffman: c.hs ? huffman : undefined, threads: 1, maxSentenceLength: SENTENCE.length });
  const memory: TrainingMemory = allocateTrainingMemory(layout);
  // large enough weights that some scores pass ±6 (clipped and skipped predictions)
  for (const matrix of [memory.input, memory.output, memory.hsOutput]) for (let i = 0; i < matrix.length; i++) matrix[i] = (random.nextFloat() - 0.5) * 1.6;
  for (let i = 0; i < TABLE_SIZE; i++) memory.table[i] = Math.floor(random.nextFloat() * VOCABULARY);
  memory.keep.fill(1);
  if (c.hs) writeHuffmanPaths(memory, huffman);
  const expected = { input: Float32Array.from(memory.input), output: Float32Array.from(memory.output), hsOutput: Float32Array.from(memory.hsOutput), table: memory.table, huffman };

  const state = epochRandomState(7, 0, 0, 0);
  const kernels = Word2VecKernels.instantiate(memory.memory, await kernelModule(), kernelSettings(layout, 0, c));
  kernels.seed(state);
  const sentence = new Int32Array(memory.memory.buffer, layout.threads[0]!.sentence, SENTENCE.length);
  const reference = new Reference(c, expected, new Generator(state));
  for (let pass = 0; pass < 3; pass++) {
    sentence.set(SENTENCE);
    kernels[c.algorithm](layout.threads[0]!.sentence, SENTENCE.length, ALPHA);
    reference.train(SENTENCE);
  }
  for (const name of ['input', 'output', 'hsOutput'] as const) {
    const [actual, wanted] = [memory[name], expected[name]];
    const first = actual.findIndex((value, i) => !Object.is(value, wanted[i]));
    assert.equal(first, -1, `${name}[${first}]: ${actual[first]} vs the reference's ${wanted[first]}`);
  }
  assert.equal(kernels.predictions, reference.predictions);
  assert.ok(Object.is(kernels.loss, reference.loss), `loss ${kernels.loss} vs the reference's ${reference.loss}`);
}

const objectives = [
  { negative: 3, shareNegatives: true, hs: false },
  { negative: 3, shareNegatives: false, hs: false },
  { negative: 0, shareNegatives: true, hs: true },
  { negative: 2, shareNegatives: true, hs: true },
];
for (const algorithm of ['skipgram', 'cbow'] as const) {
  for (const objective of objectives) {
    if (algorithm === 'cbow' && !objective.shareNegatives) continue; // CBOW makes one prediction per centre word
    const name = objective.hs ? (objective.negative > 0 ? 'hierarchical softmax + negative sampling' : 'hierarchical softmax') : `negative sampling (${objective.shareNegatives ? 'shared' : 'fresh'} negatives)`;
    test(`${algorithm} kernel, ${name}: bit for bit the scalar reference at dims 6, 16, 100, 101 and windows 1, 5`, async () => {
      for (const dim of [6, 16, 100, 101]) for (const window of [1, 5]) await runCase({ algorithm, dim, window, ...objective });
    });
  }
}

test('subsampling keeps words by their keep probability', async () => {
  const layout = planTrainingLayout({ vocabularySize: 3, dim: 4, negative: 1, tableSize: 4, threads: 1, maxSentenceLength: 8 });
  const memory = allocateTrainingMemory(layout);
  const kernels = Word2VecKernels.instantiate(memory.memory, await kernelModule(), kernelSettings(layout, 0, { window: 1, shareNegatives: true }));
  kernels.seed(epochRandomState(1, 0, 0, 0));
  const at = layout.threads[0]!.sentence;
  const sentence = new Int32Array(memory.memory.buffer, at, 8);
  memory.keep.set([1, 0, 0.5]);
  sentence.set([0, 1, 0, 1, 0, 1, 0, 1]);
  assert.equal(kernels.subsample(at, 8), 4);
  assert.deepEqual(Array.from(sentence.subarray(0, 4)), [0, 0, 0, 0]);
  let kept = 0;
  for (let trial = 0; trial < 2000; trial++) {
    sentence.fill(2);
    kept += kernels.subsample(at, 8);
  }
  assert.ok(Math.abs(kept / 16000 - 0.5) < 0.02, `kept ${kept} of 16000`);
});

// A non-finite weight (a damaged model continued, a diverging run) must reach the run as
// a non-finite loss, which stops it with a clear message, and never trap the worker: the sigmoid and
// loss table indexes truncate with saturation, so a NaN score reads a table entry instead of trapping.
for (const algorithm of ['skipgram', 'cbow'] as const) {
  for (const objective of [{ negative: 3, hs: false }, { negative: 0, hs: true }]) {
    test(`${algorithm} kernel, ${objective.hs ? 'hierarchical softmax' : 'negative sampling'}: a NaN or infinite weight makes the loss non-finite, without a trap`, async () => {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const dim = 16;
        const huffman = buildHuffmanTree(Array.from({ length: VOCABULARY }, (_, word) => VOCABULARY - word));
        const layout = planTrainingLayout({ vocabularySize: VOCABULARY, dim, negative: objective.negative, tableSize: TABLE_SIZE, huffman: objective.hs ? huffman : undefined, threads: 1, maxSentenceLength: SENTENCE.length });
        const memory = allocateTrainingMemory(layout);
        const random = new Word2VecRandom(11);
        for (const matrix of [memory.input, memory.output, memory.hsOutput]) for (let i = 0; i < matrix.length; i++) matrix[i] = (random.nextFloat() - 0.5) * 0.2;
        for (let i = 0; i < TABLE_SIZE; i++) memory.table[i] = i % VOCABULARY;
        memory.keep.fill(1);
        if (objective.hs) writeHuffmanPaths(memory, huffman);
        memory.input.fill(bad, 0, dim); // word 0's vector, every lane (the 4×-unrolled blocks included)
        const kernels = Word2VecKernels.instantiate(memory.memory, await kernelModule(), kernelSettings(layout, 0, { window: 2, shareNegatives: true, ...objective }));
        kernels.seed(epochRandomState(3, 0, 0, 0));
        const sentence = new Int32Array(memory.memory.buffer, layout.threads[0]!.sentence, SENTENCE.length);
        for (let pass = 0; pass < 3; pass++) {
          sentence.set(SENTENCE);
          kernels[algorithm](layout.threads[0]!.sentence, SENTENCE.length, ALPHA);
        }
        assert.ok(!Number.isFinite(kernels.loss), `${bad}: loss ${kernels.loss}`);
        assert.ok(kernels.predictions > 0);
      }
    });
  }
}
