// Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix (sklearn, zero_division=0).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classificationMetrics, confusionMatrix, metricsFromConfusionMatrix } from '../../engine/training/classificationMetrics';

const close = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);

// Five classes: class 3 is predicted once but never true, class 4 occurs nowhere.
const trueIds = [0, 0, 0, 0, 1, 1, 2, 2, 2, 1];
const predictedIds = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3];

describe('training: classification metrics', () => {
  it('builds the confusion matrix with rows = true, columns = predicted', () => {
    const metrics = classificationMetrics(trueIds, predictedIds, 5);
    assert.deepEqual(metrics.confusionMatrix, [
      [3, 1, 0, 0, 0],
      [0, 1, 1, 1, 0],
      [0, 0, 3, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ]);
    assert.equal(metrics.count, 10);
  });

  it('computes the hand-checked numbers', () => {
    const metrics = classificationMetrics(trueIds, predictedIds, 5, ['ham', 'spam', 'promo', 'other', 'unused']);
    close(metrics.accuracy, 7 / 10, 'accuracy');
    // Per class (TP; predicted; support) → precision, recall, F1 = 2TP / (support + predicted):
    //   0: 3; 3; 4 → 1, 3/4, 6/7        1: 1; 2; 3 → 1/2, 1/3, 2/5
    //   2: 3; 4; 3 → 3/4, 1, 6/7        3: 0; 1; 0 → 0, 0 (0/0 → 0), 0        4: all 0/0 → 0
    const expected = [
      [1, 3 / 4, 6 / 7, 4],
      [1 / 2, 1 / 3, 2 / 5, 3],
      [3 / 4, 1, 6 / 7, 3],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ];
    metrics.perClass.forEach((row, id) => {
      const [precision, recall, f1, support] = expected[id] ?? [];
      close(row.precision, precision ?? NaN, `precision ${id}`);
      close(row.recall, recall ?? NaN, `recall ${id}`);
      close(row.f1, f1 ?? NaN, `f1 ${id}`);
      assert.equal(row.support, support, `support ${id}`);
    });
    assert.deepEqual(metrics.perClass.map((row) => row.label), ['ham', 'spam', 'promo', 'other', 'unused']);
    // sklearn f1_score(average='macro') averages over labels in y_true ∪ y_pred = {0, 1, 2, 3}:
    // (6/7 + 2/5 + 6/7 + 0) / 4 = 37/70. Class 4 appears nowhere and is left out.
    close(metrics.macroF1, 37 / 70, 'macro-F1');
  });

  it('is perfect on perfect predictions, and the same from typed arrays or the confusion matrix', () => {
    const perfect = classificationMetrics([1, 0, 1], [1, 0, 1], 2);
    assert.equal(perfect.accuracy, 1);
    assert.equal(perfect.macroF1, 1);
    const matrix = confusionMatrix(new Int32Array(trueIds), new Int32Array(predictedIds), 5);
    assert.deepEqual(metricsFromConfusionMatrix(matrix), classificationMetrics(trueIds, predictedIds, 5));
  });

  it('rejects mismatched or out-of-range input', () => {
    assert.throws(() => classificationMetrics([0, 1], [0], 2), /2 true labels but 1 predictions/);
    assert.throws(() => classificationMetrics([0, 2], [0, 1], 2), /label id 2 is outside 0…1/);
    assert.throws(() => classificationMetrics([], [], 2), /no examples/);
    assert.throws(() => classificationMetrics([0], [0], 2, ['only one']), /1 label names for 2 classes/);
    assert.throws(() => classificationMetrics([], [], 0), /class count/);
  });
});
