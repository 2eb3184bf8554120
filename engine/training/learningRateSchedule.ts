/**
 * Learning rates per optimisation step. Each stage runs Hugging Face's
 * `get_linear_schedule_with_warmup` from its own `learning_rate`: linear warm-up from 0 over
 * `ceil(steps × warmup_ratio)` steps (as `TrainingArguments.get_warmup_steps`), then linear decay to 0
 * at the stage's last step. Pure.
 *
 * Step k (0-based within the stage) uses the rate HF's LambdaLR holds during the k-th optimiser step:
 *   k < W:  lr × k / max(1, W)
 *   else:   lr × max(0, (S − k) / max(1, S − W))
 * So with warm-up the first step's rate is 0, exactly as in HF (that step only moves Adam's moments).
 */

/** Multiplier of the peak rate at step `step` of `totalSteps`, with `warmupSteps` of warm-up (HF's lr_lambda). */
export function linearWarmupDecayFactor(step: number, totalSteps: number, warmupSteps: number): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

/** Warm-up steps for a stage of `totalSteps` (HF: `math.ceil(num_training_steps * warmup_ratio)`). */
export function warmupStepsFor(totalSteps: number, warmupRatio: number): number {
  if (!(warmupRatio >= 0 && warmupRatio <= 1)) throw new Error(`warmup_ratio must be in [0, 1]; got ${warmupRatio}`);
  return Math.ceil(totalSteps * warmupRatio);
}

/** The parts of a config stage the schedule needs. */
export interface ScheduleStageInput {
  readonly name?: string;
  readonly epochs: number;
  readonly learning_rate: number;
  /** Overrides the run's `warmup_ratio`. */
  readonly warmup_ratio?: number;
}

export interface ScheduledStage {
  readonly index: number;
  readonly name: string;
  /** Global step of the stage's first optimisation step. */
  readonly startStep: number;
  readonly steps: number;
  readonly warmupSteps: number;
  readonly peakLearningRate: number;
}

export interface ScheduledStep {
  readonly stage: ScheduledStage;
  /** 0-based step within the stage. */
  readonly stageStep: number;
  readonly learningRate: number;
}

/** The whole run: stages back to back, each restarting its own warm-up and decay. */
export class LearningRateSchedule {
  readonly stages: readonly ScheduledStage[];
  readonly totalSteps: number;

  /**
   * @param stepsPerEpoch optimisation steps in one pass over the training data (batches per epoch)
   * @param warmupRatio the run's `training.warmup_ratio`, used where a stage sets none
   */
  constructor(stages: readonly ScheduleStageInput[], stepsPerEpoch: number, warmupRatio: number) {
    if (!Number.isInteger(stepsPerEpoch) || stepsPerEpoch < 0) throw new Error(`steps per epoch must be a whole number ≥ 0; got ${stepsPerEpoch}`);
    let start = 0;
    this.stages = stages.map((stage, index) => {
      if (!Number.isInteger(stage.epochs) || stage.epochs < 0) throw new Error(`stage ${index + 1}: epochs must be a whole number ≥ 0; got ${stage.epochs}`);
      if (!(stage.learning_rate > 0)) throw new Error(`stage ${index + 1}: learning_rate must be > 0; got ${stage.learning_rate}`);
      const steps = stage.epochs * stepsPerEpoch;
      const scheduled: ScheduledStage = {
        index,
        name: stage.name ?? `stage ${index + 1}`,
        startStep: start,
        steps,
        warmupSteps: warmupStepsFor(steps, stage.warmup_ratio ?? warmupRatio),
        peakLearningRate: stage.learning_rate,
      };
      start += steps;
      return scheduled;
    });
    this.totalSteps = start;
  }

  /** The stage, step within it and learning rate of global step `step` (0-based). */
  at(step: number): ScheduledStep {
    if (!Number.isInteger(step) || step < 0 || step >= this.totalSteps) {
      throw new Error(`step ${step} is outside the schedule's ${this.totalSteps} steps`);
    }
    // Stages with no steps are never selected: the first whose range holds the step wins.
    const stage = this.stages.find((candidate) => step < candidate.startStep + candidate.steps);
    if (stage === undefined) throw new Error(`step ${step} is outside the schedule`); // unreachable: checked above
    const stageStep = step - stage.startStep;
    return { stage, stageStep, learningRate: this.stageLearningRate(stage, stageStep) };
  }

  /** The learning rate of step `stageStep` (0-based) of `stage`. */
  stageLearningRate(stage: ScheduledStage, stageStep: number): number {
    return stage.peakLearningRate * linearWarmupDecayFactor(stageStep, stage.steps, stage.warmupSteps);
  }
}
