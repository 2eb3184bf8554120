// Per-stage linear warm-up and decay (HF get_linear_schedule_with_warmup), across a staged run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Stage } from '../../common/schema/config.generated';
import { LearningRateSchedule, linearWarmupDecayFactor, warmupStepsFor } from '../../engine/training/learningRateSchedule';

const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-15, `${actual} ≠ ${expected}`);

describe('training: learning-rate schedule', () => {
  it('matches HF lr_lambda at the boundaries (10 steps, 2 of warm-up)', () => {
    // HF: step < W → step / max(1, W); else max(0, (S − step) / max(1, S − W)).
    const factors = Array.from({ length: 11 }, (_, step) => linearWarmupDecayFactor(step, 10, 2));
    const expected = [0, 0.5, 1, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8, 0];
    factors.forEach((factor, index) => close(factor, expected[index] ?? NaN));
    // No warm-up: full rate at step 0, 1/S at the last step.
    close(linearWarmupDecayFactor(0, 4, 0), 1);
    close(linearWarmupDecayFactor(3, 4, 0), 0.25);
    // Past the end it stays at 0.
    close(linearWarmupDecayFactor(12, 10, 2), 0);
  });

  it('rounds warm-up steps up, as TrainingArguments.get_warmup_steps', () => {
    assert.equal(warmupStepsFor(25, 0.1), 3);
    assert.equal(warmupStepsFor(30, 0.1), 3);
    assert.equal(warmupStepsFor(30, 0), 0);
    assert.equal(warmupStepsFor(7, 1), 7);
    assert.throws(() => warmupStepsFor(10, 1.5), /warmup_ratio must be in \[0, 1\]/);
  });

  it('restarts warm-up and decay at each stage from its own learning rate', () => {
    // The config's stages go in as they are.
    const stages: Stage[] = [
      { name: 'head', epochs: 1, learning_rate: 1e-3, freeze: 'encoder' },
      { epochs: 0, learning_rate: 5e-4 },
      { name: 'all', epochs: 2, learning_rate: 3e-5, warmup_ratio: 0, freeze: 'none' },
    ];
    const schedule = new LearningRateSchedule(stages, 5, 0.2);
    assert.equal(schedule.totalSteps, 15);
    assert.deepEqual(schedule.stages.map((stage) => [stage.name, stage.startStep, stage.steps, stage.warmupSteps]), [
      ['head', 0, 5, 1],
      ['stage 2', 5, 0, 0],
      ['all', 5, 10, 0],
    ]);
    const rates = Array.from({ length: 15 }, (_, step) => schedule.at(step));
    // Stage 1: step 0 is the warm-up step (rate 0, as HF), then 4/4 … 1/4 of 1e-3.
    close(rates[0]?.learningRate ?? NaN, 0);
    close(rates[1]?.learningRate ?? NaN, 1e-3);
    close(rates[4]?.learningRate ?? NaN, 1e-3 * 0.25);
    // The empty stage is never selected; stage 3 starts at its full rate (no warm-up) and decays to 1/10.
    assert.equal(rates[5]?.stage.name, 'all');
    assert.equal(rates[5]?.stageStep, 0);
    close(rates[5]?.learningRate ?? NaN, 3e-5);
    close(rates[14]?.learningRate ?? NaN, 3e-5 * 0.1);
    assert.throws(() => schedule.at(15), /outside the schedule's 15 steps/);
    assert.throws(() => schedule.at(-1), /outside/);
  });

  it('rejects bad stages', () => {
    assert.throws(() => new LearningRateSchedule([{ epochs: 1.5, learning_rate: 1 }], 3, 0), /stage 1: epochs must be a whole number/);
    assert.throws(() => new LearningRateSchedule([{ epochs: 1, learning_rate: 0 }], 3, 0), /stage 1: learning_rate must be > 0/);
    assert.throws(() => new LearningRateSchedule([{ epochs: 1, learning_rate: 1 }], 2.5, 0), /steps per epoch/);
  });
});
