// The `text-classification` task, for every `model.type` (classification/prepareClassification.ts):
// the staged schedule of training.stages (each with its own epochs, learning rate, warm-up + linear
// decay and freeze plan), AdamW, gradient clipping, validation every epoch, early stopping, the best
// model kept, the model's folder out. A stage that freezes everything below the head (BERT's encoder,
// the word vectors) trains the head on features computed once.
import * as path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import type { RunEpoch, RunStep, ValidationMetrics } from '../../common/protocol/runEvents';
import type { Stage } from '../../common/schema/config.generated';
import { planBucketedBatches } from '../data/lengthBuckets';
import { assembleBatch } from '../data/tokenBatches';
import { readSafetensors, type FloatTensor } from '../models/safetensors';
import { AdamW } from '../training/adamW';
import { clipByGlobalNorm } from '../training/clipByGlobalNorm';
import { EarlyStopping, type EarlyStoppingMetric } from '../training/earlyStopping';
import { describeFreezePlan, planFreeze, type FreezePlan } from '../training/freezeSpec';
import { LearningRateSchedule } from '../training/learningRateSchedule';
import { namedGradients } from '../training/namedGradients';
import { ProgressMeter } from '../training/progressMeter';
import { tensorMemory } from '../backend/tensorMemory';
import type { ClassifierModel } from './classification/classifierModel';
import { MODEL_FILE, readTrainerState, writeTrainerState } from './classification/classifierFolder';
import { crossEntropy } from './classification/crossEntropy';
import { evaluateClassifier, type Evaluation } from './classification/evaluate';
import { encodeFeatures, featureRows } from './classification/frozenFeatures';
import { prepareClassification } from './classification/prepareClassification';
import { exportRunOnnx } from '../onnx/runOnnxExport';
import { RunError } from './runError';
import type { TaskTrainer, TrainerContext, TrainerResult } from './trainerContext';

/** When training.stages is absent: one stage that fine-tunes everything (HF Trainer's defaults). */
const DEFAULT_STAGES: Stage[] = [{ name: 'fine-tune', epochs: 3, learning_rate: 5e-5, freeze: 'none' }];
const BEST_FOLDER = 'best';

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

function metricValue(evaluation: Evaluation, metric: EarlyStoppingMetric): number {
  return metric === 'loss' ? evaluation.loss : metric === 'accuracy' ? evaluation.metrics.accuracy : evaluation.metrics.macroF1;
}

function validationOf(evaluation: Evaluation): ValidationMetrics {
  return { loss: evaluation.loss, accuracy: evaluation.metrics.accuracy, macroF1: evaluation.metrics.macroF1 };
}

function trainableByName(model: ClassifierModel, plan: FreezePlan): Map<string, tf.Variable> {
  const result = new Map<string, tf.Variable>();
  for (const group of plan.trainable) for (const name of model.groups.get(group) ?? []) result.set(name, model.variables.get(name)!);
  return result;
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`;
}

async function train(context: TrainerContext): Promise<TrainerResult> {
  const { config, folder } = context;
  const formats = config.output.formats ?? classificationTrainer.defaultFormats;
  if (!formats.includes('huggingface') || formats.some((format) => format !== 'huggingface' && format !== 'onnx')) {
    throw new RunError('output.formats: a classifier is written as huggingface (and onnx beside it); word2vec-text and word2vec-binary are for word vectors', ['output', 'formats']);
  }
  const prepared = await prepareClassification(context);
  const { data, train: trainSet, validation: validationSet } = prepared;
  const labels = data.labels.names;
  let model = prepared.model;

  const training = config.training ?? {};
  const stages = training.stages ?? DEFAULT_STAGES;
  const batchSize = training.batch_size ?? 16;
  const maxGradNorm = training.max_grad_norm ?? 1;
  const evalEvery = training.eval_every ?? 'epoch';
  const logEverySteps = training.log_every_steps ?? 10;
  const stepsPerEpoch = Math.ceil(trainSet.count / batchSize);
  const schedule = new LearningRateSchedule(stages, stepsPerEpoch, training.warmup_ratio ?? 0.1);
  const groupNames = [...model.groups.keys()];
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

  const optimizerKind = training.optimizer ?? 'adamw';
  const adamW = optimizerKind === 'sgd' ? undefined : new AdamW({ weightDecay: optimizerKind === 'adamw' ? (training.weight_decay ?? 0.01) : 0 });
  const optimizer: Optimizer = adamW ?? sgd;
  const earlyStoppingConfig = training.early_stopping;
  const metric: EarlyStoppingMetric = earlyStoppingConfig?.metric ?? 'macro_f1';
  // Without early_stopping the best epoch is still tracked (on macro-F1) so the best model is written.
  const tracker = new EarlyStopping({ metric, patience: earlyStoppingConfig?.patience ?? Number.MAX_SAFE_INTEGER, min_delta: earlyStoppingConfig?.min_delta ?? 0 });
  let best: ReadonlyMap<string, FloatTensor> | undefined;
  const bestFolder = path.join(folder.checkpoints, BEST_FOLDER);

  const history: RunEpoch[] = [];
  let epochsDone = 0;
  let stoppedEarly = false;
  if (context.resumeFrom) {
    const checkpoint = context.resumeFrom;
    const { state, optimizer: optimizerState } = await readTrainerState(checkpoint.path);
    const resumed = await prepared.load(checkpoint.path);
    model.dispose();
    model = resumed;
    if (adamW) adamW.importState(optimizerState);
    if (state.earlyStopping) tracker.importState(state.earlyStopping);
    stoppedEarly = state.stoppedEarly;
    epochsDone = state.epoch;
    history.push(...checkpoint.epochs);
    best = await readSafetensors(path.join(bestFolder, MODEL_FILE)).then((read) => read.tensors, () => undefined);
    prepared.notices.push({ level: 'info', message: `Resuming from ${checkpoint.path} after epoch ${checkpoint.epoch} of ${totalEpochs}.` });
  }

  context.started({
    totalSteps: schedule.totalSteps,
    epochs: totalEpochs,
    stages: schedule.stages.map((stage, index) => ({ name: stage.name, startStep: stage.startStep, epochs: stages[index]!.epochs })),
    backend: context.tensorBackend ?? { name: tf.getBackend(), reason: 'TensorFlow.js backend of the engine process' },
    metric,
    ...(context.resumeFrom ? { resumedFrom: { epoch: context.resumeFrom.epoch, step: context.resumeFrom.step } } : {}),
  });
  context.emit({
    kind: 'log',
    level: 'info',
    message:
      `${trainSet.count} training and ${validationSet?.count ?? 0} validation examples, ${labels.length} labels (${labels.join(', ')}); ` +
      `${stages.length} stage${stages.length === 1 ? '' : 's'}, ${totalEpochs} epochs of ${stepsPerEpoch} steps (batch ${batchSize}, max_length ${prepared.maxLength}); ` +
      `${prepared.description}.`,
  });
  for (const notice of prepared.notices) context.emit({ kind: 'log', ...notice });

  let step = epochsDone * stepsPerEpoch;
  let lastEmit = Number.NEGATIVE_INFINITY;
  const meter = new ProgressMeter(schedule.stages);
  /** Progress, ETA and elapsed time for an event at `stageIndex` with `stepsLeft` of its steps to run. */
  const progressAt = (stageIndex: number, stepsLeft: number): { progress: number; etaSeconds?: number; elapsedSeconds: number } => {
    const etaSeconds = meter.etaSeconds({ stage: stageIndex, stepsLeftInStage: stepsLeft, epochsLeft: totalEpochs - epochsDone });
    const elapsedSeconds = context.elapsedSeconds();
    const progress = meter.progress(elapsedSeconds, etaSeconds, schedule.totalSteps > 0 ? step / schedule.totalSteps : 1);
    return { progress, ...(etaSeconds !== undefined && { etaSeconds }), elapsedSeconds };
  };
  let uncachedStepMs: number | undefined;
  const cachedRuns: Record<string, unknown>[] = [];
  let halted: 'stop' | 'abort' | undefined;

  const runStep = async (trainable: ReadonlyMap<string, tf.Variable>, indices: Int32Array, cached: Float32Array | undefined, learningRate: number, apply = true): Promise<number> => {
    const labelIds = Int32Array.from(indices, (example) => trainSet.labels[example]!);
    const { frozenFeatures } = model;
    const lossOf = (): tf.Scalar =>
      tf.tidy(() => {
        const logits = cached !== undefined ? frozenFeatures.head(featureRows(cached, frozenFeatures.size, indices), true) : model.logits(assembleBatch(trainSet, indices), true);
        return crossEntropy(logits, tf.tensor1d(labelIds, 'int32'));
      });
    const { loss, gradients } = namedGradients(lossOf, trainable);
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

  const onStop = (): void => void (halted ??= 'stop');
  const onAbort = (): void => void (halted = 'abort');
  context.stopSignal.addEventListener('abort', onStop);
  context.abortSignal.addEventListener('abort', onAbort);
  if (context.stopSignal.aborted) onStop();
  if (context.abortSignal.aborted) onAbort();
  try {
    stages: for (let stageIndex = 0; stageIndex < stages.length && !stoppedEarly; stageIndex++) {
      const stage = stages[stageIndex]!;
      const scheduled = schedule.stages[stageIndex]!;
      const plan = plans[stageIndex]!;
      const firstEpoch = stageFirstEpoch[stageIndex]!;
      const endEpoch = firstEpoch + stage.epochs;
      if (endEpoch <= epochsDone || stage.epochs === 0) continue;
      context.emit({ kind: 'stage', index: stageIndex, name: scheduled.name, step: scheduled.startStep, frozen: describeFreezePlan(plan) });
      const trainable = trainableByName(model, plan);

      let trainFeatures: Float32Array | undefined;
      let validationFeatures: Float32Array | undefined;
      let encodeMs = 0;
      if (plan.encoderFrozen) {
        // Time one full step (gradients computed, not applied) to report the gain; the first run of
        // a shape warms kernels up, so the faster of two runs is the honest figure.
        const probe = planBucketedBatches(trainSet.lengths, { batchSize, seed: config.seed, epoch: 0 })[0]!;
        for (let run = 0; run < 2; run++) {
          const probeStart = context.now();
          await runStep(trainable, probe, undefined, 0, false);
          uncachedStepMs = Math.min(uncachedStepMs ?? Number.POSITIVE_INFINITY, context.now() - probeStart);
        }
        // Later stages that train the whole model: its forward (measured) and a backward about twice as long.
        for (let later = stageIndex + 1; later < stages.length; later++) if (!plans[later]!.encoderFrozen) meter.assume(later, uncachedStepMs! * 3);
        const encodeStart = context.now();
        const total = trainSet.count + (validationSet?.count ?? 0);
        const caching = (done: number): void => {
          const now = context.now();
          meter.cachingAt({ done, total, ms: now - encodeStart });
          if (now - lastEmit < context.progressIntervalMs || done === total) return;
          lastEmit = now;
          context.emit({ kind: 'caching', stage: scheduled.name, done, total, ...progressAt(stageIndex, scheduled.steps) });
        };
        trainFeatures = await encodeFeatures(model.frozenFeatures, trainSet, batchSize, caching);
        validationFeatures = validationSet ? await encodeFeatures(model.frozenFeatures, validationSet, batchSize, (done) => caching(trainSet.count + done)) : undefined;
        meter.cachingAt(undefined);
        encodeMs = context.now() - encodeStart;
        context.emit({
          kind: 'log',
          level: 'info',
          message: `Stage ${scheduled.name}: ${model.frozenFeatures.description} were computed once (${trainSet.count + (validationSet?.count ?? 0)} examples in ${seconds(encodeMs)}) and the head trains on cached features.`,
        });
      }
      let stageSteps = 0;
      // Time in training steps only (not validation or checkpoints), for the cached-features report.
      let stepsMs = 0;

      for (let epoch = Math.max(firstEpoch, epochsDone); epoch < endEpoch; epoch++) {
        let lossSum = 0;
        let samples = 0;
        const batches = planBucketedBatches(trainSet.lengths, { batchSize, seed: config.seed, epoch });
        for (const indices of batches) {
          if (halted) break stages;
          const { learningRate } = schedule.at(step);
          const stepStart = context.now();
          const loss = await runStep(trainable, indices, trainFeatures, learningRate);
          const stepMs = context.now() - stepStart;
          stepsMs += stepMs;
          meter.step(stageIndex, stepMs, indices.length);
          if (!Number.isFinite(loss)) {
            throw new RunError(
              `The training loss became ${String(loss)} at step ${step + 1} (stage ${scheduled.name}, epoch ${epoch + 1}); the run stopped and wrote no model. Lower this stage's learning_rate (now ${stage.learning_rate}) or set training.max_grad_norm, and train again.`,
              ['training', 'stages', stageIndex, 'learning_rate'],
            );
          }
          step++;
          stageSteps++;
          lossSum += loss * indices.length;
          samples += indices.length;
          const now = context.now();
          const lastOfEpoch = samples === trainSet.count;
          const progressDue = now - lastEmit >= context.progressIntervalMs || lastOfEpoch;
          const rowDue = step % logEverySteps === 0;
          if (progressDue || rowDue) {
            const event: RunStep = {
              kind: 'step',
              step,
              epoch: epoch + 1,
              loss,
              learningRate,
              throughput: meter.takeThroughput(),
              throughputUnit: 'samples/s',
              stage: scheduled.name,
              ...progressAt(stageIndex, scheduled.startStep + scheduled.steps - step),
            };
            if (rowDue) context.logStep(event);
            if (progressDue) {
              context.emit(event);
              lastEmit = now;
            }
          }
          await nextTurn(); // lets stop requests in
        }

        const overheadStart = context.now();
        const evaluate = validationSet !== undefined && (evalEvery === 'epoch' || epoch === endEpoch - 1);
        const evaluation = evaluate ? await evaluateClassifier(model, validationSet, batchSize, labels, validationFeatures) : undefined;
        const event: RunEpoch = {
          kind: 'epoch',
          epoch: epoch + 1,
          step,
          trainLoss: lossSum / samples,
          stage: scheduled.name,
          ...(evaluation ? { validation: validationOf(evaluation) } : {}),
          memory: tensorMemory(),
        };
        history.push(event);
        context.emit(event);
        if (evaluation) {
          const decision = tracker.update(metricValue(evaluation, metric), epoch + 1);
          if (decision.improved) {
            best = await model.exportState();
            await model.writeFolder(bestFolder, best);
          }
          // Patience running out on the last scheduled epoch is not stopping early: the run ends anyway.
          if (earlyStoppingConfig && decision.shouldStop && epoch + 1 < totalEpochs) {
            stoppedEarly = true;
            context.emit({
              kind: 'log',
              level: 'info',
              message: `Early stopping after epoch ${epoch + 1}: validation ${metric} has not improved for ${decision.waited} evaluation(s); the best was ${decision.best.toFixed(4)} after epoch ${decision.bestAt}.`,
            });
          }
        }
        if (context.abortSignal.aborted) break stages;
        const checkpoint = context.checkpointPath(epoch + 1);
        await model.writeFolder(checkpoint);
        await writeTrainerState(checkpoint, { epoch: epoch + 1, step, earlyStopping: tracker.exportState(), stoppedEarly, optimizerSteps: {} }, await adamW?.exportState());
        await context.recordCheckpoint({ epoch: epoch + 1, step, epochs: history });
        epochsDone = epoch + 1;
        meter.epochOverhead(context.now() - overheadStart);
        if (stoppedEarly) break stages;
      }

      if (plan.encoderFrozen && stageSteps > 0 && uncachedStepMs !== undefined) {
        const stageMs = stepsMs;
        const cachedStepMs = stageMs / stageSteps;
        const estimatedUncachedMs = uncachedStepMs * stageSteps;
        const report = {
          stage: scheduled.name,
          encodeSeconds: encodeMs / 1000,
          cachedStepMs,
          uncachedStepMs,
          stepSpeedup: uncachedStepMs / cachedStepMs,
          stageSpeedup: estimatedUncachedMs / (stageMs + encodeMs),
        };
        cachedRuns.push(report);
        context.emit({
          kind: 'log',
          level: 'info',
          message:
            `Stage ${scheduled.name} on cached features: ${stageSteps} steps in ${seconds(stageMs)} (${cachedStepMs.toFixed(2)} ms/step) plus ${seconds(encodeMs)} to encode once; ` +
            `through the whole model a step takes ${uncachedStepMs.toFixed(1)} ms: ×${report.stepSpeedup.toFixed(report.stepSpeedup < 10 ? 1 : 0)} per step, ×${report.stageSpeedup.toFixed(1)} for the stage.`,
        });
      }
    }
  } finally {
    context.stopSignal.removeEventListener('abort', onStop);
    context.abortSignal.removeEventListener('abort', onAbort);
  }

  const common = { task: 'text-classification', labels, epochs: totalEpochs, epochsCompleted: epochsDone, steps: step, metric, stoppedEarly, cachedFeatures: cachedRuns };
  if (halted === 'abort') {
    model.dispose();
    context.emit({ kind: 'log', level: 'warning', message: `Aborted during epoch ${epochsDone + 1}: no checkpoint saved for the unfinished epoch.` });
    return { status: 'stopped', summary: { ...common, aborted: true } };
  }
  if (halted === 'stop') {
    const resumePoint = await context.latestCheckpoint();
    if (resumePoint) context.emit({ kind: 'checkpoint', path: resumePoint.path, epoch: resumePoint.epoch, step: resumePoint.step });
    else {
      // Nothing finished yet: the resume point is the untrained start (the same seeded fresh head).
      const start = await prepared.initial();
      const checkpoint = context.checkpointPath(0);
      await start.writeFolder(checkpoint);
      await writeTrainerState(checkpoint, { epoch: 0, step: 0, earlyStopping: null, stoppedEarly: false, optimizerSteps: {} }, undefined);
      start.dispose();
      await context.recordCheckpoint({ epoch: 0, step: 0, epochs: [] });
    }
    model.dispose();
    context.emit({ kind: 'log', level: 'info', message: `Stopped after epoch ${epochsDone} of ${totalEpochs}; the unfinished epoch runs again from its start on resume.` });
    return { status: 'stopped', summary: { ...common, resumable: true } };
  }

  const bestEpoch = tracker.bestAt;
  if (best !== undefined && bestEpoch !== null && bestEpoch !== epochsDone) {
    model.importState(best);
    context.emit({ kind: 'log', level: 'info', message: `Writing the best model: epoch ${bestEpoch} (validation ${metric} ${tracker.best?.toFixed(4)}), not the last.` });
  }
  const final = validationSet ? await evaluateClassifier(model, validationSet, batchSize, labels) : undefined;
  if (final) {
    const perClass = final.metrics.perClass.map((entry) => `${entry.label ?? entry.id} F1 ${entry.f1.toFixed(3)}`).join(', ');
    context.emit({
      kind: 'log',
      level: 'info',
      message: `Final model${bestEpoch !== null ? ` (epoch ${bestEpoch})` : ''} on validation: accuracy ${final.metrics.accuracy.toFixed(4)}, macro-F1 ${final.metrics.macroF1.toFixed(4)}, loss ${final.loss.toFixed(4)} (${perClass}).`,
    });
  }
  const files = (await model.writeFolder(folder.dir)).map((name) => path.join(folder.dir, name));
  model.dispose();
  adamW?.dispose();
  const onnx = formats.includes('onnx') ? await exportRunOnnx(folder.dir, { quantize: config.output.quantize ?? false, validation: validationSet, batchSize }) : undefined;
  return {
    status: 'completed',
    summary: {
      ...common,
      bestEpoch,
      ...(final
        ? {
            validation: validationOf(final),
            perClass: final.metrics.perClass,
            confusionMatrix: final.metrics.confusionMatrix,
          }
        : {}),
      trainLoss: history[history.length - 1]?.trainLoss,
      ...(onnx ? { onnx: onnx.summary } : {}),
      files: [...files, ...(onnx?.files ?? [])],
    },
  };
}

export const classificationTrainer: TaskTrainer = {
  defaultFormats: ['huggingface'],
  usesTensorBackend: true,
  train,
};
