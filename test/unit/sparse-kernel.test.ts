// The sparse kernel (engine/sparseClassifier) against the TensorFlow.js model of the same classifier
// (engine/models/embeddingClassifier.ts, which predictions use): the same parameters give the same
// logits and losses, and the same optimisation steps give the same parameters, for a small model whose
// dimension (6) is not a multiple of the kernel's 4 lanes. Full-batch steps in which every row occurs,
// so the kernel's lazy (touched rows only) updates must equal the dense ones exactly.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../engine/data/seededRandom';
import { assembleBatch } from '../../engine/data/tokenBatches';
import { tokenizeExamples } from '../../engine/data/tokenizedExamples';
import { WordTokenizer } from '../../engine/data/wordTokenizer';
import { SINGLE_LABEL } from '../../engine/models/decision';
import { EmbeddingClassifier, embeddingRows, initialEmbeddingClassifierState, type EmbeddingClassifierConfig } from '../../engine/models/embeddingClassifier';
import type { FloatTensor } from '../../engine/models/safetensors';
import { binaryCrossEntropy, crossEntropy } from '../../engine/run/classification/crossEntropy';
import { scoreLogits } from '../../engine/training/classifierScores';
import type { TrainSettings } from '../../engine/sparseClassifier/kernel';
import { rowsIn, SparseModel } from '../../engine/sparseClassifier/sparseModel';
import { AdamW } from '../../engine/training/adamW';
import { clipByGlobalNorm } from '../../engine/training/clipByGlobalNorm';
import { namedGradients } from '../../engine/training/namedGradients';

const WORDS = ['[PAD]', '[UNK]', 'red', 'green', 'blue', 'cyan', 'plum', 'teal', 'gold', 'jade', 'rose', 'sand'];
/** Every word once in all, none twice in one text (ties in a max have no agreed gradient). */
const TEXTS = ['red green blue', 'cyan plum', 'teal gold jade rose', 'sand red teal', 'blue gold', 'plum rose sand cyan', 'green jade', 'mystery red'];
const LABELS = [0, 1, 2, 1, 0, 2, 1, 0];
const STAGE = { index: 0, name: 'all', startStep: 0, steps: 1_000_000, warmupSteps: 0, peakLearningRate: 0.05 };

function configOf(overrides: Partial<EmbeddingClassifierConfig> = {}): EmbeddingClassifierConfig {
  return { vocabSize: WORDS.length, wordNgrams: 1, ngramBuckets: 0, vectorSize: 6, pooling: 'mean-max', hiddenSize: 5, dropout: 0, labels: ['x', 'y', 'z'], lowercase: true, maxLength: 8, decision: SINGLE_LABEL, ...overrides };
}

function startState(config: EmbeddingClassifierConfig): Map<string, FloatTensor> {
  const random = mulberry32(21);
  const rows = embeddingRows(config);
  const embeddings = Float32Array.from({ length: rows * config.vectorSize }, (_, i) => (i < config.vectorSize ? 0 : (random() - 0.5) * 0.6));
  return initialEmbeddingClassifierState(config, embeddings, 5);
}

function examplesFor(config: EmbeddingClassifierConfig, multiLabel = false) {
  const tokenizer = new WordTokenizer(WORDS, true, { maxN: config.wordNgrams, buckets: config.ngramBuckets });
  const examples = TEXTS.map((text, i) => ({ text, labelIds: multiLabel ? [LABELS[i]!, (LABELS[i]! + 1) % 3].sort() : [LABELS[i]!] }));
  return tokenizeExamples(examples, tokenizer, { maxLength: config.maxLength, ...(multiLabel ? { multiLabelClasses: 3 } : {}) });
}

function settings(overrides: Partial<TrainSettings>): TrainSettings {
  return { trainEmbeddings: true, optimizer: 'adamw', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, maxGradNorm: 0, dropout: 0, ...overrides };
}

function close(actual: ReadonlyMap<string, FloatTensor>, expected: ReadonlyMap<string, FloatTensor>, tolerance: number, what: string): void {
  for (const [name, tensor] of expected) {
    const got = actual.get(name);
    assert.ok(got, `${what}: ${name} is missing`);
    assert.deepEqual(got.shape, tensor.shape, `${what}: ${name}'s shape`);
    let worst = 0;
    for (let i = 0; i < tensor.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i]! - tensor.data[i]!));
    assert.ok(worst <= tolerance, `${what}: ${name} differs by ${worst}`);
  }
}

const models: SparseModel[] = [];
before(async () => {
  assert.ok(await tf.setBackend('cpu'));
});
after(async () => {
  for (const model of models) await model.dispose();
});

function sparseFor(config: EmbeddingClassifierConfig, multiLabel = false): { sparse: SparseModel; examples: ReturnType<typeof examplesFor> } {
  const examples = examplesFor(config, multiLabel);
  const sparse = new SparseModel({
    shape: { rows: embeddingRows(config), dim: config.vectorSize, pooling: config.pooling, hidden: config.hiddenSize, labels: 3, multiLabel },
    train: examples,
    validation: examples,
    trainableRows: rowsIn(examples, embeddingRows(config)),
    batchSize: TEXTS.length,
    threads: 1,
    beta1: 0.9,
    beta2: 0.999,
  });
  models.push(sparse);
  sparse.setOrder(Array.from(TEXTS.keys()));
  return { sparse, examples };
}

/** TensorFlow.js: loss and gradients of the whole batch, then the update. */
async function tfStep(model: EmbeddingClassifier, examples: ReturnType<typeof examplesFor>, update: (gradients: Map<string, tf.Tensor>) => void | Promise<void>, multiLabel = false): Promise<number> {
  const batch = assembleBatch(examples, Array.from(TEXTS.keys()));
  const { loss, gradients } = namedGradients(
    () =>
      tf.tidy(() => {
        const logits = model.batchLogits(batch, true);
        if (!multiLabel) return crossEntropy(logits, tf.tensor1d(batch.labels, 'int32'));
        return binaryCrossEntropy(logits, tf.tensor2d(Float32Array.from(examples.targets!), [TEXTS.length, 3]));
      }),
    model.variables,
  );
  const value = loss.dataSync()[0]!;
  loss.dispose();
  await update(gradients);
  for (const gradient of gradients.values()) gradient.dispose();
  return value;
}

async function sparseStep(sparse: SparseModel, step: number, trainSettings: TrainSettings): Promise<number> {
  const result = await sparse.runEpoch({ batchSize: TEXTS.length, firstStep: step, stage: STAGE, settings: trainSettings, source: 'tokens', seed: 1 }, { batches: 0, lossSum: 0, examples: 0 }, 1000, () => undefined);
  return result.lossSum / result.examples;
}

const learningRateAt = (step: number): number => STAGE.peakLearningRate * ((STAGE.steps - step) / STAGE.steps);

test('the same parameters give the same logits and loss as the TensorFlow.js model, the pooling split over the threads, and the cached features of a frozen stage the same again', async () => {
  for (const pooling of ['mean', 'max', 'mean-max'] as const) {
    for (const hiddenSize of [0, 5]) {
      const config = configOf({ pooling, hiddenSize });
      const state = startState(config);
      const { sparse, examples } = sparseFor(config);
      sparse.importState(state);
      close(sparse.exportState(), state, 0, `${pooling}, hidden ${hiddenSize}: export of the import`);
      const model = EmbeddingClassifier.fromState(config, state);
      const batch = assembleBatch(examples, Array.from(TEXTS.keys()));
      const logits = tf.tidy(() => model.batchLogits(batch, false).dataSync() as Float32Array);
      const fromTf = new Float32Array(logits.length);
      batch.exampleIndices.forEach((example, row) => fromTf.set(logits.subarray(row * 3, row * 3 + 3), example * 3));
      const fromKernel = await sparse.validationLogits('tokens');
      for (let i = 0; i < fromTf.length; i++) assert.ok(Math.abs(fromKernel[i]! - fromTf[i]!) < 1e-5, `${pooling}, hidden ${hiddenSize}: logit ${i}: ${fromKernel[i]} vs ${fromTf[i]}`);
      await sparse.encodePooled();
      assert.deepEqual(await sparse.validationLogits('cached'), fromKernel);
      const scored = scoreLogits(fromKernel, examples, ['x', 'y', 'z'], SINGLE_LABEL);
      const tfLoss = tf.tidy(() => crossEntropy(model.batchLogits(batch, false), tf.tensor1d(batch.labels, 'int32')).dataSync()[0]!);
      assert.ok(Math.abs(scored.loss - tfLoss) < 1e-5, `${scored.loss} vs ${tfLoss}`);
      model.dispose();
    }
  }
});

test('three AdamW steps (weight decay, no clipping) give the parameters the TensorFlow.js AdamW gives', async () => {
  const config = configOf();
  const state = startState(config);
  const { sparse, examples } = sparseFor(config);
  sparse.importState(state);
  const model = EmbeddingClassifier.fromState(config, state);
  const adamW = new AdamW({ weightDecay: 0.01 });
  for (let step = 0; step < 3; step++) {
    const tfLoss = await tfStep(model, examples, (gradients) => adamW.applyGradients(model.variables, gradients, learningRateAt(step)));
    const kernelLoss = await sparseStep(sparse, step, settings({ weightDecay: 0.01 }));
    assert.ok(Math.abs(tfLoss - kernelLoss) < 1e-5, `step ${step + 1}: loss ${kernelLoss} vs ${tfLoss}`);
  }
  close(sparse.exportState(), await model.exportState(), 2e-5, 'after 3 AdamW steps');
  // The optimiser state goes out and back in unchanged (a checkpoint's round trip).
  const snapshot = sparse.exportOptimizer();
  assert.deepEqual(snapshot.steps['classifier.weight'], 3);
  assert.deepEqual(Array.from(snapshot.tensors.get('steps.embeddings.weight')!.data), new Array<number>(rowsIn(examples, WORDS.length).length).fill(3));
  sparse.importOptimizer(snapshot.tensors, snapshot.steps);
  const again = sparse.exportOptimizer();
  for (const [name, tensor] of snapshot.tensors) assert.deepEqual(again.tensors.get(name)!.data, tensor.data, name);
  model.dispose();
  adamW.dispose();
});

test('SGD with global-norm clipping, hashed bigrams and the multi-label loss agree as well', async () => {
  const config = configOf({ wordNgrams: 2, ngramBuckets: 7, pooling: 'mean', hiddenSize: 0 });
  const state = startState(config);
  const { sparse, examples } = sparseFor(config, true);
  assert.ok(examples.tokenIds.some((id) => id >= WORDS.length), 'bigram rows are used');
  sparse.importState(state);
  const model = EmbeddingClassifier.fromState({ ...config, decision: { multiLabel: true, threshold: 0.5 } }, state);
  for (let step = 0; step < 2; step++) {
    const tfLoss = await tfStep(
      model,
      examples,
      async (gradients) => {
        const clipped = await clipByGlobalNorm(gradients, 0.05);
        assert.ok(clipped.clipped, 'the clipping applies');
        for (const [name, gradient] of clipped.gradients) tf.tidy(() => model.variables.get(name)!.assign(model.variables.get(name)!.sub(gradient.mul(learningRateAt(step)))));
        for (const gradient of clipped.gradients.values()) gradient.dispose();
      },
      true,
    );
    const kernelLoss = await sparseStep(sparse, step, settings({ optimizer: 'sgd', maxGradNorm: 0.05 }));
    assert.ok(Math.abs(tfLoss - kernelLoss) < 1e-5, `step ${step + 1}: loss ${kernelLoss} vs ${tfLoss}`);
  }
  close(sparse.exportState(), await model.exportState(), 1e-6, 'after 2 clipped SGD steps');
  model.dispose();
});
