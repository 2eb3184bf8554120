import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressMeter } from '../../engine/training/progressMeter';

const at = (stage: number, stepsLeftInStage: number, epochsLeft: number) => ({ stage, stepsLeftInStage, epochsLeft });

describe('progress meter', () => {
  it('gives no ETA until a step past the warm-up one has been timed', () => {
    const meter = new ProgressMeter([{ steps: 10 }]);
    assert.equal(meter.etaSeconds(at(0, 10, 1)), undefined);
    meter.step(0, 900, 16); // warm-up: kernels compile on the first step
    assert.equal(meter.etaSeconds(at(0, 9, 1)), undefined);
    meter.step(0, 100, 16);
    assert.equal(meter.etaSeconds(at(0, 8, 1)), 0.8, 'the warm-up step is not the rate');
  });

  it('measures throughput on training steps alone and adds validation per remaining epoch', () => {
    const meter = new ProgressMeter([{ steps: 20 }]);
    for (let i = 0; i < 11; i++) meter.step(0, 50, 10); // epoch 1: 10 steps after the warm-up one
    assert.equal(meter.takeThroughput(), 200);
    meter.epochOverhead(2000); // validation + checkpoint: 2 s
    meter.step(0, 50, 10); // the first step after validation
    assert.equal(meter.takeThroughput(), 200, 'validation time is not training time');
    // 8 steps × 50 ms + one more validation of 2 s.
    assert.equal(meter.etaSeconds(at(0, 8, 1)), 2.4);
  });

  it('estimates later stages from an assumed cost, then from what they measure', () => {
    const meter = new ProgressMeter([{ steps: 100 }, { steps: 10 }]);
    meter.assume(1, 300); // a probe of a full step, times three
    meter.step(0, 5, 16);
    meter.step(0, 1, 16);
    assert.equal(meter.etaSeconds(at(0, 98, 2)), (98 * 1 + 10 * 300) / 1000);
    meter.step(1, 900, 16);
    meter.step(1, 200, 16);
    assert.equal(meter.etaSeconds(at(1, 8, 1)), 1.6);
  });

  it('gives no ETA while a later stage of another kind has no cost to go on, and borrows a timed one of its kind', () => {
    // A head on cached features (1 ms a step) says nothing of a stage that trains everything.
    const meter = new ProgressMeter([
      { steps: 10, kind: 'frozen' },
      { steps: 10, kind: 'trains' },
      { steps: 10, kind: 'trains' },
    ]);
    meter.step(0, 5, 16);
    meter.step(0, 1, 16);
    assert.equal(meter.etaSeconds(at(0, 8, 3)), undefined);
    meter.step(1, 900, 16);
    meter.step(1, 100, 16);
    assert.equal(meter.etaSeconds(at(1, 8, 2)), (8 * 100 + 10 * 100) / 1000, 'the last stage costs what its kind was timed at');
  });

  it('counts the features still to cache in the ETA', () => {
    const meter = new ProgressMeter([{ steps: 4 }, { steps: 4 }]);
    meter.assume(0, 10);
    meter.assume(1, 100);
    meter.cachingAt({ done: 250, total: 1000, ms: 1000 });
    assert.equal(meter.etaSeconds(at(0, 4, 2)), (3000 + 40 + 400) / 1000);
    meter.cachingAt(undefined);
    assert.equal(meter.etaSeconds(at(0, 4, 2)), 0.44);
  });

  it('moves progress by time, so cheap cached steps barely move it, and never backwards', () => {
    const meter = new ProgressMeter([{ steps: 90 }, { steps: 10 }]);
    assert.equal(meter.progress(1, undefined, 0.01), 0.01, 'the share of steps until an ETA exists');
    // 90 cached steps done in 1 s of a 100 s run: 1%, not the 90% the step count says.
    assert.equal(meter.progress(1, 99, 0.9), 0.01);
    assert.equal(meter.progress(50, 50, 0.95), 0.5);
    assert.equal(meter.progress(51, 60, 0.96), 0.5, 'a longer estimate holds the bar, it does not pull it back');
    assert.equal(meter.progress(100, 0, 1), 1);
  });
});
