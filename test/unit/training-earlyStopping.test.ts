// Early stopping on a validation metric: mode from the metric, patience, min_delta, best epoch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EarlyStopping } from '../../engine/training/earlyStopping';
import { withSchemaDefaults } from '../../engine/config/schemaDefaults';
import type { ResolvedEarlyStopping } from '../../engine/config/resolvedConfig';

/** `training.early_stopping` as a run resolves it: the schema's defaults fill what is not given. */
const resolved = (early_stopping: Record<string, unknown> = {}): ResolvedEarlyStopping =>
  (withSchemaDefaults({ task: 'text-classification', name: 'x', data: { train: 'x.csv' }, training: { early_stopping } }) as { training: { early_stopping: ResolvedEarlyStopping } }).training.early_stopping;

describe('training: early stopping', () => {
  it('maximises macro-F1, counting only improvements larger than min_delta', () => {
    const stopping = new EarlyStopping(resolved({ metric: 'macro_f1', patience: 2, min_delta: 0.01 }));
    assert.equal(stopping.mode, 'max');
    const decisions = [0.5, 0.6, 0.605, 0.62, 0.61, 0.6].map((value, index) => stopping.update(value, index + 1));
    assert.deepEqual(decisions.map((d) => d.improved), [true, true, false, true, false, false]);
    assert.deepEqual(decisions.map((d) => d.shouldStop), [false, false, false, false, false, true]);
    assert.deepEqual(decisions.map((d) => d.waited), [0, 0, 1, 0, 1, 2]);
    // 0.605 was not an improvement, so 0.6 stayed the best until 0.62.
    assert.equal(decisions[2]?.best, 0.6);
    assert.equal(decisions[5]?.best, 0.62);
    assert.equal(decisions[5]?.bestAt, 4);
  });

  it('minimises loss; ties and NaN do not improve', () => {
    const stopping = new EarlyStopping(resolved({ metric: 'loss', patience: 2 }));
    assert.equal(stopping.mode, 'min');
    assert.equal(stopping.update(1.0, 1).improved, true);
    assert.equal(stopping.update(0.8, 2).improved, true);
    assert.equal(stopping.update(0.8, 3).improved, false);
    const last = stopping.update(Number.NaN, 4);
    assert.equal(last.shouldStop, true);
    assert.equal(stopping.best, 0.8);
    assert.equal(stopping.bestAt, 2);
  });

  it('uses the schema defaults and resumes from exported state', () => {
    const stopping = new EarlyStopping(resolved());
    assert.equal(stopping.metric, 'loss');
    assert.equal(stopping.patience, 2);
    assert.equal(stopping.minDelta, 0);
    stopping.update(0.6, 1);
    stopping.update(0.7, 2);
    const resumed = new EarlyStopping(resolved());
    resumed.importState(JSON.parse(JSON.stringify(stopping.exportState())) as ReturnType<EarlyStopping['exportState']>);
    assert.deepEqual(resumed.update(0.65, 3), { improved: false, shouldStop: true, best: 0.6, bestAt: 1, waited: 2 });
    assert.throws(() => new EarlyStopping(resolved({ patience: 0 })), /patience must be a whole number ≥ 1/);
    assert.throws(() => new EarlyStopping(resolved({ min_delta: -1 })), /min_delta must be ≥ 0/);
  });
});
