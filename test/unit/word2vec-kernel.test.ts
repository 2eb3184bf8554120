// The WebAssembly kernels against a plain TypeScript transcription of word2vec.c's update, on a case
// with no randomness left: window 1 (the reduced window is always 1), sample 0, a unigram table that
// holds one word, dim 6 (one SIMD vector plus a scalar tail).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Word2VecRandom } from '../../engine/word2vec/random';
import { buildSigmoidTable, EXP_TABLE_SCALE, MAX_EXP } from '../../engine/word2vec/sigmoidTable';
import { allocateTrainingMemory, epochRandomState, planTrainingLayout, setKernelState, writeKernelConfig } from '../../engine/word2vec/trainingMemory';
import { instantiateKernels, KernelConfig } from '../../engine/word2vec/wasm/kernelModule';

const dim = 6;
const alpha = 0.2;
const NEGATIVE_WORD = 2;

function setup(shareNegatives: boolean) {
  const layout = planTrainingLayout(3, dim, 16, 1, 2, 8);
  const memory = allocateTrainingMemory(layout);
  const random = new Word2VecRandom(4);
  for (let i = 0; i < memory.input.length; i++) memory.input[i] = random.nextFloat() - 0.5;
  for (let i = 0; i < memory.output.length; i++) memory.output[i] = random.nextFloat() - 0.5;
  memory.table.fill(NEGATIVE_WORD);
  memory.keep.fill(1);
  writeKernelConfig(memory.memory, layout, 0, { window: 1, negative: 2, shareNegatives });
  const slots = layout.threads[0]!;
  const sentence = new Int32Array(memory.memory.buffer, slots.sentence, 8);
  const totals = new Float64Array(memory.memory.buffer, slots.config + KernelConfig.loss, 2);
  return { memory, layout, slots, sentence, totals, kernels: instantiateKernels(memory.memory) };
}

const sigmoid = buildSigmoidTable();
const row = (matrix: Float32Array, index: number): Float32Array => matrix.subarray(index * dim, (index + 1) * dim);

/** word2vec.c's gradient for one prediction, and the loss −log σ(±f). */
function predict(inRow: ArrayLike<number>, out: Float32Array, label: 0 | 1, gradient: Float64Array): number {
  let f = 0;
  for (let i = 0; i < dim; i++) f += inRow[i]! * out[i]!;
  const g = f > MAX_EXP ? (label - 1) * alpha : f < -MAX_EXP ? label * alpha : (label - sigmoid[Math.trunc((f + MAX_EXP) * EXP_TABLE_SCALE)]!) * alpha;
  for (let i = 0; i < dim; i++) {
    gradient[i]! += g * out[i]!;
    out[i] = out[i]! + g * inRow[i]!;
  }
  return Math.log1p(Math.exp(label === 1 ? -f : f));
}

function assertClose(actual: Float32Array, expected: Float32Array): void {
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) < 2e-6, `value ${i}: ${actual[i]} vs ${expected[i]}`);
}

for (const shareNegatives of [false, true]) {
  test(`skip-gram kernel matches word2vec.c's update (shared negatives: ${shareNegatives})`, () => {
    const { memory, slots, sentence, totals, kernels } = setup(shareNegatives);
    const input = Float32Array.from(memory.input);
    const output = Float32Array.from(memory.output);
    let loss = 0;
    // sentence [0, 1]: centre 0 is predicted from context 1, then centre 1 from context 0
    for (const [centre, context] of [[0, 1], [1, 0]] as const) {
      const gradient = new Float64Array(dim);
      const inRow = row(input, context);
      loss += predict(inRow, row(output, centre), 1, gradient);
      for (let n = 0; n < 2; n++) loss += predict(inRow, row(output, NEGATIVE_WORD), 0, gradient);
      for (let i = 0; i < dim; i++) inRow[i] = inRow[i]! + gradient[i]!;
    }
    sentence.set([0, 1]);
    kernels.skipgram(slots.config, slots.sentence, 2, alpha);
    assertClose(memory.input, input);
    assertClose(memory.output, output);
    assert.equal(totals[1], 2);
    assert.ok(Math.abs(totals[0]! - loss) < 0.01, `loss ${totals[0]} vs ${loss}`);
  });
}

test("CBOW kernel matches word2vec.c's update (mean of the context, error added to each context word)", () => {
  const { memory, slots, sentence, totals, kernels } = setup(false);
  const input = Float32Array.from(memory.input);
  const output = Float32Array.from(memory.output);
  // sentence [0, 1, 0]: centre 1 has contexts 0 and 0 (the same word twice)
  for (const [centre, contexts] of [[0, [1]], [1, [0, 0]], [0, [1]]] as const) {
    const hidden = new Float64Array(dim);
    for (const c of contexts) for (let i = 0; i < dim; i++) hidden[i]! += row(input, c)[i]! / contexts.length;
    const gradient = new Float64Array(dim);
    predict(hidden, row(output, centre), 1, gradient);
    for (let n = 0; n < 2; n++) predict(hidden, row(output, NEGATIVE_WORD), 0, gradient);
    for (const c of contexts) for (let i = 0; i < dim; i++) row(input, c)[i] = row(input, c)[i]! + gradient[i]!;
  }
  sentence.set([0, 1, 0]);
  kernels.cbow(slots.config, slots.sentence, 3, alpha);
  assertClose(memory.input, input);
  assertClose(memory.output, output);
  assert.equal(totals[1], 3);
});

test('subsampling keeps words by their keep probability', () => {
  const { memory, layout, slots, sentence, kernels } = setup(false);
  setKernelState(memory.memory, layout, 0, { random: epochRandomState(1, 0, 0, 0), loss: 0, predictions: 0 });
  memory.keep.set([1, 0, 0.5]);
  sentence.set([0, 1, 0, 1, 0, 1, 0, 1]);
  assert.equal(kernels.subsample(slots.config, slots.sentence, 8), 4);
  assert.deepEqual(Array.from(sentence.subarray(0, 4)), [0, 0, 0, 0]);
  let kept = 0;
  for (let trial = 0; trial < 2000; trial++) {
    sentence.fill(2);
    kept += kernels.subsample(slots.config, slots.sentence, 8);
  }
  assert.ok(Math.abs(kept / 16000 - 0.5) < 0.02, `kept ${kept} of 16000`);
});
