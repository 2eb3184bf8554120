// A TensorFlow.js classifier (BERT) behind the trainer's ClassifierTraining: gradients of the loss by
// tf, AdamW or SGD, global-norm clipping, and a stage that freezes everything below the head training
// the head on features computed once (with the speed-up reported).
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { planBucketedBatches } from '../../data/lengthBuckets';
import { assembleBatch } from '../../data/tokenBatches';
import type { TokenizedExamples } from '../../data/tokenizedExamples';
import { AdamW } from '../../training/adamW';
import { clipByGlobalNorm } from '../../training/clipByGlobalNorm';
import type { FreezePlan } from '../../training/freezeSpec';
import { linearWarmupDecayFactor } from '../../training/learningRateSchedule';
import { namedGradients } from '../../training/namedGradients';
import { stepDropoutSeed, withDropoutSeed } from '../../models/fusedOps';
import type { ClassifierTraining, EpochResult, EpochRun, OptimizerSnapshot, TrainingStage } from './classifierTraining';
import type { ClassifierModel, Notice } from './classifierModel';
import { binaryCrossEntropy, crossEntropy } from './crossEntropy';
import { evaluateClassifier } from './evaluate';
import { encodeFeatures, featureRows } from './frozenFeatures';
import type { Decision } from '../../models/decision';
import type { ResolvedTraining } from '../../config/resolvedConfig';

interface Optimizer {
  applyGradients(parameters: ReadonlyMap<string, tf.Variable>, gradients: ReadonlyMap<string, tf.Tensor>, learningRate: number): void;
}

/** Plain SGD (`optimizer: sgd`); it has no state to checkpoint. */
const sgd: Optimizer = {
  applyGradients(parameters, gradients, learningRate) {
    for (const [name, gradient] of gradients) {
      const variable = parameters.get(name)!;
      tf.tidy(() => variable.assign(variable.sub(gradient.mul(learningRate))));
    }
  },
};

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`;
}

export interface TensorTrainingOptions {
  readonly model: ClassifierModel;
  readonly train: TokenizedExamples;
  readonly validation: TokenizedExamples | undefined;
  readonly labels: readonly string[];
  readonly multiLabel: boolean;
  readonly training: ResolvedTraining;
  readonly seed: number;
  readonly backend: { readonly name: string; readonly reason: string };
  /** The model of a checkpoint folder. */
  load(dir: string): Promise<ClassifierModel>;
  now(): number;
}

export function tensorTraining(options: TensorTrainingOptions): ClassifierTraining {
  const { train: trainSet, validation: validationSet, labels, training, seed } = options;
  let model = options.model;
  const batchSize = training.batch_size;
  const maxGradNorm = training.max_grad_norm;
  const optimizerKind = training.optimizer;
  const adamW = optimizerKind === 'sgd' ? undefined : new AdamW({ weightDecay: optimizerKind === 'adamw' ? training.weight_decay : 0 });
  const optimizer: Optimizer = adamW ?? sgd;
  const now = (): number => options.now();
  let uncachedStepMs: number | undefined;
  let trainable = new Map<string, tf.Variable>();
  let stage: { name: string; plan: FreezePlan; trainFeatures?: Float32Array; validationFeatures?: Float32Array; encodeMs: number; steps: number; stepsMs: number } | undefined;
  const cachedRuns: Record<string, unknown>[] = [];

  const trainableOf = (plan: FreezePlan): Map<string, tf.Variable> => {
    const result = new Map<string, tf.Variable>();
    for (const group of plan.trainable) for (const name of model.groups.get(group) ?? []) result.set(name, model.variables.get(name)!);
    return result;
  };

  /** One step at global `step` (its dropout masks seeded from the run's seed and the step). */
  const runStep = async (step: number, indices: Int32Array, cached: Float32Array | undefined, learningRate: number, apply = true): Promise<number> => {
    const { frozenFeatures } = model;
    const lossOf = (): tf.Scalar =>
      tf.tidy(() => {
        const logits = cached !== undefined ? frozenFeatures.head(featureRows(cached, frozenFeatures.size, indices), true) : model.logits(assembleBatch(trainSet, indices), true);
        if (!options.multiLabel) return crossEntropy(logits, tf.tensor1d(Int32Array.from(indices, (example) => trainSet.labels[example]!), 'int32'));
        const classes = labels.length;
        const targets = new Float32Array(indices.length * classes);
        indices.forEach((example, row) => {
          for (let l = 0; l < classes; l++) targets[row * classes + l] = trainSet.targets![example * classes + l]!;
        });
        return binaryCrossEntropy(logits, tf.tensor2d(targets, [indices.length, classes]));
      });
    const { loss, gradients } = withDropoutSeed(stepDropoutSeed(seed, step), () => namedGradients(lossOf, trainable));
    try {
      const value = (await loss.data().finally(() => loss.dispose()))[0] ?? Number.NaN;
      if (!apply || !Number.isFinite(value)) return value;
      const clipped = await clipByGlobalNorm(gradients, maxGradNorm);
      // A non-finite gradient norm with a finite loss: skip the update rather than poison the weights.
      if (Number.isFinite(clipped.norm)) optimizer.applyGradients(trainable, clipped.gradients, learningRate);
      if (clipped.clipped) for (const gradient of clipped.gradients.values()) gradient.dispose();
      return value;
    } finally {
      for (const gradient of gradients.values()) gradient.dispose();
    }
  };

  return {
    get groups() {
      return model.groups;
    },
    backend: options.backend,

    async startStage({ scheduled, plan, caching }: TrainingStage): Promise<Notice[]> {
      trainable = trainableOf(plan);
      stage = { name: scheduled.name, plan, encodeMs: 0, steps: 0, stepsMs: 0 };
      if (!plan.encoderFrozen) return [];
      // Time one full step (gradients computed, not applied) to report the gain; the first run of
      // a shape warms kernels up, so the faster of two runs is the honest figure.
      const probe = planBucketedBatches(trainSet.lengths, { batchSize, seed, epoch: 0 })[0]!;
      for (let run = 0; run < 2; run++) {
        const probeStart = now();
        await runStep(-1, probe, undefined, 0, false);
        uncachedStepMs = Math.min(uncachedStepMs ?? Number.POSITIVE_INFINITY, now() - probeStart);
      }
      const encodeStart = now();
      const total = trainSet.count + (validationSet?.count ?? 0);
      stage.trainFeatures = await encodeFeatures(model.frozenFeatures, trainSet, batchSize, (done) => caching?.(done, total, now() - encodeStart));
      if (validationSet) stage.validationFeatures = await encodeFeatures(model.frozenFeatures, validationSet, batchSize, (done) => caching?.(trainSet.count + done, total, now() - encodeStart));
      stage.encodeMs = now() - encodeStart;
      return [
        {
          level: 'info',
          message: `Stage ${scheduled.name}: ${model.frozenFeatures.description} were computed once (${trainSet.count + (validationSet?.count ?? 0)} examples in ${seconds(stage.encodeMs)}) and the head trains on cached features.`,
        },
      ];
    },

    async trainEpoch(run: EpochRun): Promise<EpochResult> {
      const { scheduled } = run.stage;
      let { batches, lossSum, examples } = run.from ?? { batches: 0, lossSum: 0, examples: 0 };
      const plan = planBucketedBatches(trainSet.lengths, { batchSize, seed, epoch: run.epoch });
      for (; batches < plan.length; batches++) {
        if (run.halt.aborted) return { batches, lossSum, examples, completed: false };
        const indices = plan[batches]!;
        const step = run.firstStep + batches;
        const learningRate = scheduled.peakLearningRate * linearWarmupDecayFactor(step - scheduled.startStep, scheduled.steps, scheduled.warmupSteps);
        const stepStart = now();
        const loss = await runStep(step, indices, stage?.trainFeatures, learningRate);
        if (stage) {
          stage.stepsMs += now() - stepStart;
          stage.steps++;
        }
        if (!Number.isFinite(loss)) return { batches, lossSum, examples, completed: false, nonFinite: { step, loss } };
        lossSum += loss * indices.length;
        examples += indices.length;
        run.onProgress(step + 1, loss, indices.length);
        await nextTurn(); // lets stop requests in
      }
      return { batches, lossSum, examples, completed: true };
    },

    evaluate(decision: Decision) {
      if (!validationSet) throw new Error('no validation data to evaluate on');
      return evaluateClassifier(model, validationSet, batchSize, labels, decision, stage?.validationFeatures);
    },

    endStage(): Notice[] {
      const ended = stage;
      stage = undefined;
      if (!ended?.plan.encoderFrozen || ended.steps === 0 || uncachedStepMs === undefined) return [];
      const cachedStepMs = ended.stepsMs / ended.steps;
      const report = {
        stage: ended.name,
        encodeSeconds: ended.encodeMs / 1000,
        cachedStepMs,
        uncachedStepMs,
        stepSpeedup: uncachedStepMs / cachedStepMs,
        stageSpeedup: (uncachedStepMs * ended.steps) / (ended.stepsMs + ended.encodeMs),
      };
      cachedRuns.push(report);
      return [
        {
          level: 'info',
          message:
            `Stage ${ended.name} on cached features: ${ended.steps} steps in ${seconds(ended.stepsMs)} (${cachedStepMs.toFixed(2)} ms/step) plus ${seconds(ended.encodeMs)} to encode once; ` +
            `through the whole model a step takes ${uncachedStepMs.toFixed(1)} ms: ×${report.stepSpeedup.toFixed(report.stepSpeedup < 10 ? 1 : 0)} per step, ×${report.stageSpeedup.toFixed(1)} for the stage.`,
        },
      ];
    },

    // After a cached stage, steps go through the whole model again: its forward (measured) and a backward about twice as long.
    laterMsPerStep: () => (stage?.plan.encoderFrozen && uncachedStepMs !== undefined ? uncachedStepMs * 3 : undefined),
    summary: () => ({ cachedFeatures: cachedRuns }),
    exportState: () => model.exportState(),
    importState: (state) => model.importState(state),
    writeFolder: (dir, decision) => model.writeFolder(dir, undefined, decision),
    async checkpointModel(decision) {
      const state = await model.exportState();
      return (dir: string) => model.writeFolder(dir, state, decision);
    },
    async optimizerSnapshot(): Promise<OptimizerSnapshot> {
      const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
      const steps: Record<string, number> = {};
      for (const entry of (await adamW?.exportState())?.parameters ?? []) {
        tensors.set(`m.${entry.name}`, { shape: entry.shape, data: entry.m });
        tensors.set(`v.${entry.name}`, { shape: entry.shape, data: entry.v });
        steps[entry.name] = entry.step;
      }
      return { tensors, steps };
    },
    async restore(dir, snapshot) {
      const resumed = await options.load(dir);
      model.dispose();
      model = resumed;
      if (!adamW) return;
      const parameters = Object.entries(snapshot.steps).map(([name, step]) => {
        const m = snapshot.tensors.get(`m.${name}`);
        const v = snapshot.tensors.get(`v.${name}`);
        if (m === undefined || v === undefined) throw new Error(`${dir}: the optimiser state of ${name} is missing`);
        return { name, step, shape: m.shape, m: m.data, v: v.data };
      });
      adamW.importState({ parameters });
    },
    dispose() {
      model.dispose();
      adamW?.dispose();
      return Promise.resolve();
    },
  };
}
