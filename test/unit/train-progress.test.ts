// The CLI's epoch line: training loss always, validation metrics when the epoch was evaluated.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatEpoch } from '../../engine/cli/trainProgress';

describe('formatEpoch', () => {
  it('prints the training loss alone for an epoch without validation', () => {
    assert.equal(formatEpoch({ kind: 'epoch', epoch: 2, step: 40, trainLoss: 0.23456 }, 4), 'epoch 2/4 done: loss 0.2346');
  });

  it('adds validation loss, accuracy and macro-F1 when the epoch was evaluated', () => {
    const line = formatEpoch({ kind: 'epoch', epoch: 1, step: 20, trainLoss: 0.5, validation: { loss: 0.31, accuracy: 0.9729, macroF1: 0.96837 } }, 3);
    assert.equal(line, 'epoch 1/3 done: loss 0.5000; validation loss 0.3100, accuracy 0.9729, macro-F1 0.9684');
  });
});
