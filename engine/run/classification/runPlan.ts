// The schedule of a text-classification run, fixed from its config before the first step: the
// stages with their epochs, steps, learning rates and freeze plans, and the training settings the
// stage loop reads. What changes as the run goes is the trainer's (classificationTrainer.ts).
import { schemaAt } from '../../../common/config/schemaDiagnostics';
import type { ResolvedStage, ResolvedTraining } from '../../config/resolvedConfig';
import type { EarlyStoppingMetric } from '../../training/earlyStopping';
import { planFreeze, type FreezePlan } from '../../training/freezeSpec';
import { LearningRateSchedule } from '../../training/learningRateSchedule';
import { RunError } from '../runError';

/** When training.stages is absent: one stage that fine-tunes everything (HF Trainer's defaults). */
const DEFAULT_STAGES: ResolvedStage[] = [{ name: 'fine-tune', epochs: 3, learning_rate: 5e-5, freeze: 'none' }];

export interface RunPlan {
  readonly training: ResolvedTraining;
  readonly stages: readonly ResolvedStage[];
  readonly schedule: LearningRateSchedule;
  /** The freeze plan of each stage. */
  readonly plans: readonly FreezePlan[];
  /** The global index of each stage's first epoch. */
  readonly stageFirstEpoch: readonly number[];
  readonly totalEpochs: number;
  readonly stepsPerEpoch: number;
  readonly batchSize: number;
  readonly evalEvery: ResolvedTraining['eval_every'];
  readonly logEverySteps: number;
  /** What early stopping (or, without it, the choice of the best epoch) judges. */
  readonly metric: EarlyStoppingMetric;
}

export function planRun(training: ResolvedTraining, trainCount: number, groupNames: readonly string[]): RunPlan {
  const stages = training.stages ?? DEFAULT_STAGES;
  const batchSize = training.batch_size;
  const stepsPerEpoch = Math.ceil(trainCount / batchSize);
  const plans = stages.map((stage, index) => {
    try {
      return planFreeze(stage.freeze, groupNames);
    } catch (error) {
      throw new RunError((error as Error).message, ['training', 'stages', index, 'freeze']);
    }
  });
  const stageFirstEpoch: number[] = [];
  let totalEpochs = 0;
  for (const stage of stages) {
    stageFirstEpoch.push(totalEpochs);
    totalEpochs += stage.epochs;
  }
  return {
    training,
    stages,
    schedule: new LearningRateSchedule(stages, stepsPerEpoch, training.warmup_ratio),
    plans,
    stageFirstEpoch,
    totalEpochs,
    stepsPerEpoch,
    batchSize,
    evalEvery: training.eval_every,
    logEverySteps: training.log_every_steps,
    metric: (training.early_stopping?.metric ?? schemaAt(['training', 'early_stopping', 'metric'])?.default) as EarlyStoppingMetric,
  };
}

/** The stage a global epoch belongs to (-1 past the schedule). */
export function stageOfEpoch(plan: RunPlan, epoch: number): number {
  return plan.stages.findIndex((stage, index) => epoch < plan.stageFirstEpoch[index]! + stage.epochs);
}

/** The global step of a global epoch's first batch. */
export function firstStepOfEpoch(plan: RunPlan, stageIndex: number, epoch: number): number {
  return plan.schedule.stages[stageIndex]!.startStep + (epoch - plan.stageFirstEpoch[stageIndex]!) * plan.stepsPerEpoch;
}
