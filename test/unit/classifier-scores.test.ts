// training/classifierScores.ts, the one scoring of a classifier's logits: its losses equal the tensor
// losses the trainer steps on (crossEntropy.ts), stay finite where a probability underflows, and its
// probabilities and multi-label decisions are those predictions show.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { SINGLE_LABEL } from '../../engine/models/decision';
import { predictionsOf } from '../../engine/prediction/predictions';
import { binaryCrossEntropy, crossEntropy } from '../../engine/run/classification/crossEntropy';
import { probabilitiesOf, scoreLogits } from '../../engine/training/classifierScores';
import { seededRandom } from '../fixtures/models/tinyBert';

const LABELS = ['a', 'b', 'c'];
const random = seededRandom(7);
const COUNT = 50;
const logits = Float32Array.from({ length: COUNT * 3 }, () => (random() - 0.5) * 12);
const labels = Int32Array.from({ length: COUNT }, () => Math.floor(random() * 3));
const targets = Uint8Array.from({ length: COUNT * 3 }, () => (random() < 0.4 ? 1 : 0));

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
});

test('the softmax cross-entropy and the per-label binary cross-entropy equal the tensor losses training steps on', () => {
  const single = scoreLogits(logits, { count: COUNT, labels }, LABELS, SINGLE_LABEL);
  const tensorSingle = tf.tidy(() => crossEntropy(tf.tensor2d(logits, [COUNT, 3]), tf.tensor1d(labels, 'int32')).dataSync()[0]!);
  assert.ok(Math.abs(single.loss - tensorSingle) < 1e-6, `${single.loss} vs ${tensorSingle}`);
  const multi = scoreLogits(logits, { count: COUNT, labels, targets }, LABELS, { multiLabel: true, threshold: 0.5 });
  const tensorMulti = tf.tidy(() => binaryCrossEntropy(tf.tensor2d(logits, [COUNT, 3]), tf.tensor2d(Float32Array.from(targets), [COUNT, 3])).dataSync()[0]!);
  assert.ok(Math.abs(multi.loss - tensorMulti) < 1e-6, `${multi.loss} vs ${tensorMulti}`);
});

test('a true class whose probability underflows to 0 in float32 still gives its finite loss, from the logits', () => {
  const confident = Float32Array.from([200, -200]);
  assert.equal(probabilitiesOf(confident, SINGLE_LABEL)[1], 0);
  assert.ok(Math.abs(scoreLogits(confident, { count: 1, labels: [1] }, ['x', 'y'], SINGLE_LABEL).loss - 400) < 1e-9);
  const multi = scoreLogits(confident, { count: 1, labels: [0], targets: [0, 1] }, ['x', 'y'], { multiLabel: true, threshold: 0.5 });
  assert.ok(Math.abs(multi.loss - 200) < 1e-9, String(multi.loss)); // (200 + 200) / 2 labels
});

test('probabilities are a softmax (single-label) or each label’s sigmoid, and decide as scoring does', () => {
  const rows = Array.from({ length: COUNT }, (_, example) => logits.subarray(example * 3, example * 3 + 3));
  for (const row of rows) assert.ok(Math.abs(probabilitiesOf(row, SINGLE_LABEL).reduce((a, b) => a + b, 0) - 1) < 1e-6);
  const single = scoreLogits(logits, { count: COUNT, labels }, LABELS, SINGLE_LABEL);
  const predicted = predictionsOf(LABELS, rows.map((row) => probabilitiesOf(row, SINGLE_LABEL))).map((prediction) => LABELS.indexOf(prediction.label));
  const correct = predicted.filter((label, example) => label === labels[example]).length;
  assert.equal(single.metrics.accuracy, correct / COUNT);

  const decision = { multiLabel: true, threshold: 0.3 } as const;
  const sigmoids = rows.map((row) => probabilitiesOf(row, decision));
  assert.deepEqual(Array.from(sigmoids[0]!), Array.from(rows[0]!, (x) => Math.fround(1 / (1 + Math.exp(-x)))));
  const multi = scoreLogits(logits, { count: COUNT, labels, targets }, LABELS, decision);
  assert.deepEqual(Array.from(multi.probabilities!), sigmoids.flatMap((row) => Array.from(row)));
  // Exact-match accuracy from the labels predictions give at the threshold.
  const chosen = predictionsOf(LABELS, sigmoids, decision).map((prediction) => prediction.labels!);
  const exact = chosen.filter((set, example) => LABELS.every((label, l) => set.includes(label) === (targets[example * 3 + l] === 1))).length;
  assert.equal(multi.metrics.accuracy, exact / COUNT);
});
