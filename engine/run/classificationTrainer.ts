// The `text-classification` task, for every `model.type` (classification/prepareClassification.ts):
// the staged schedule of training.stages (each with its own epochs, learning rate, warm-up + linear
// decay and freeze plan), validation every epoch, early stopping (which ends the stage it happens in,
// and the schedule goes on with the next), the best model kept, checkpoints, stop and resume, the
// model's folder out. How a model computes — TensorFlow.js tensors for BERT, the sparse multi-threaded
// kernel for word-vector classifiers — is its ClassifierTraining (classification/classifierTraining.ts).
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { RunEpoch, RunStep, ValidationMetrics } from '../../common/protocol/runEvents';
import type { Output, Stage } from '../../common/schema/config.generated';
import { configuredDecision, type Decision } from '../models/decision';
import { readSafetensors, type FloatTensor } from '../models/safetensors';
import { EarlyStopping, type EarlyStoppingMetric } from '../training/earlyStopping';
import { describeFreezePlan, planFreeze } from '../training/freezeSpec';
import { LearningRateSchedule } from '../training/learningRateSchedule';
import { tuneThreshold } from '../training/multiLabelMetrics';
import { ProgressMeter } from '../training/progressMeter';
import { tensorMemory } from '../backend/tensorMemory';
import { exportRunOnnx } from '../onnx/runOnnxExport';
import { linkFileAtomic } from '../io/atomicWrite';
import { CONFIG_FILE, MODEL_FILE, readTrainerState, writeTrainerState } from './classification/classifierFolder';
import { prepareClassification, type PreparedClassification } from './classification/prepareClassification';
import type { Evaluation } from './classification/scoreLogits';
import { RunError } from './runError';
import type { TaskTrainer, TrainerContext, TrainerResult } from './trainerContext';

/** When training.stages is absent: one stage that fine-tunes everything (HF Trainer's defaults). */
const DEFAULT_STAGES: Stage[] = [{ name: 'fine-tune', epochs: 3, learning_rate: 5e-5, freeze: 'none' }];
const BEST_FOLDER = 'best';
type OutputFormat = NonNullable<Output['formats']>[number];

function metricValue(evaluation: Evaluation, metric: EarlyStoppingMetric): number {
  const { metrics } = evaluation;
  return metric === 'loss' ? evaluation.loss : metric === 'accuracy' ? metrics.accuracy : metric === 'micro_f1' ? metrics.microF1 : metrics.macroF1;
}

function validationOf(evaluation: Evaluation): ValidationMetrics {
  const { metrics } = evaluation;
  return { loss: evaluation.loss, accuracy: metrics.accuracy, macroF1: metrics.macroF1, ...(!('confusionMatrix' in metrics) && { microF1: metrics.microF1 }) };
}

/** The metrics of a final evaluation for summary.json: per class, and the confusion matrix or the threshold. */
function finalMetrics(evaluation: Evaluation): Record<string, unknown> {
  const { metrics } = evaluation;
  return {
    validation: { ...validationOf(evaluation), microF1: metrics.microF1 },
    perClass: metrics.perClass,
    ...('confusionMatrix' in metrics ? { confusionMatrix: metrics.confusionMatrix } : { threshold: metrics.threshold }),
  };
}

async function train(context: TrainerContext): Promise<TrainerResult> {
  const formats = context.config.output.formats ?? classificationTrainer.defaultFormats;
  if (!formats.includes('huggingface') || formats.some((format) => format !== 'huggingface' && format !== 'onnx')) {
    throw new RunError('output.formats: a classifier is written as huggingface (and onnx beside it); word2vec-text and word2vec-binary are for word vectors', ['output', 'formats']);
  }
  const prepared = await prepareClassification(context);
  try {
    return await trainPrepared(context, prepared, formats);
  } finally {
    // Also on a failure: the sparse kernel's threads and the tensors go.
    await prepared.training.dispose();
  }
}

async function trainPrepared(context: TrainerContext, prepared: PreparedClassification, formats: readonly OutputFormat[]): Promise<TrainerResult> {
  const { config, folder } = context;
  const { data, train: trainSet, validation: validationSet, training: model } = prepared;
  const labels = data.labels.names;

  const training = config.training ?? {};
  const stages = training.stages ?? DEFAULT_STAGES;
  const batchSize = training.batch_size ?? 16;
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
  const stageOfEpoch = (epoch: number): number => stages.findIndex((stage, index) => epoch < stageFirstEpoch[index]! + stage.epochs);

  let decision: Decision = configuredDecision(data.multiLabel, training.decision_threshold);
  const earlyStoppingConfig = training.early_stopping;
  const metric: EarlyStoppingMetric = earlyStoppingConfig?.metric ?? 'macro_f1';
  // Without early_stopping the best epoch is still tracked (on macro-F1) so the best model is written.
  const tracker = new EarlyStopping({ metric, patience: earlyStoppingConfig?.patience ?? Number.MAX_SAFE_INTEGER, min_delta: earlyStoppingConfig?.min_delta ?? 0 });
  let best: ReadonlyMap<string, FloatTensor> | undefined;
  const bestFolder = path.join(folder.checkpoints, BEST_FOLDER);

  const history: RunEpoch[] = [];
  /** Epochs of the schedule behind us: done, or skipped because early stopping ended their stage. */
  let epochsDone = 0;
  const stagesEndedEarly: string[] = [];
  if (context.resumeFrom) {
    const checkpoint = context.resumeFrom;
    const { state, optimizer } = await readTrainerState(checkpoint.path);
    await model.restore(checkpoint.path, optimizer);
    if (state.earlyStopping) tracker.importState(state.earlyStopping);
    epochsDone = state.epoch;
    stagesEndedEarly.push(...(state.stagesEndedEarly ?? []));
    if (state.stoppedEarly) {
      const ended = stageOfEpoch(state.epoch - 1);
      if (ended >= 0) epochsDone = stageFirstEpoch[ended]! + stages[ended]!.epochs;
    }
    history.push(...checkpoint.epochs);
    best = await readSafetensors(path.join(bestFolder, MODEL_FILE)).then((read) => read.tensors, () => undefined);
    prepared.notices.push({ level: 'info', message: `Resuming from ${checkpoint.path} after epoch ${checkpoint.epoch} of ${totalEpochs}.` });
  }

  context.started({
    totalSteps: schedule.totalSteps,
    epochs: totalEpochs,
    stages: schedule.stages.map((stage, index) => ({ name: stage.name, startStep: stage.startStep, epochs: stages[index]!.epochs })),
    backend: model.backend,
    metric,
    ...(context.resumeFrom ? { resumedFrom: { epoch: context.resumeFrom.epoch, step: context.resumeFrom.step } } : {}),
  });
  context.emit({
    kind: 'log',
    level: 'info',
    message:
      `${trainSet.count} training and ${validationSet?.count ?? 0} validation examples, ${labels.length} labels (${labels.join(', ')})${data.multiLabel ? ', multi-label' : ''}; ` +
      `${stages.length} stage${stages.length === 1 ? '' : 's'}, ${totalEpochs} epochs of ${stepsPerEpoch} steps (batch ${batchSize}, max_length ${prepared.maxLength}); ` +
      `${prepared.description}.`,
  });
  for (const notice of prepared.notices) context.emit({ kind: 'log', ...notice });

  let step = context.resumeFrom?.step ?? 0;
  const meter = new ProgressMeter(schedule.stages);
  /** Progress, ETA and elapsed time for an event at `stageIndex` with `stepsLeft` of its steps to run. */
  const progressAt = (stageIndex: number, stepsLeft: number): { progress: number; etaSeconds?: number; elapsedSeconds: number } => {
    const etaSeconds = meter.etaSeconds({ stage: stageIndex, stepsLeftInStage: stepsLeft, epochsLeft: totalEpochs - epochsDone });
    const elapsedSeconds = context.elapsedSeconds();
    const progress = meter.progress(elapsedSeconds, etaSeconds, schedule.totalSteps > 0 ? step / schedule.totalSteps : 1);
    return { progress, ...(etaSeconds !== undefined && { etaSeconds }), elapsedSeconds };
  };
  let lastEmit = Number.NEGATIVE_INFINITY;
  let halted: 'stop' | 'abort' | undefined;
  const halt = new AbortController();
  const onStop = (): void => {
    halted ??= 'stop';
    halt.abort();
  };
  const onAbort = (): void => {
    halted = 'abort';
    halt.abort();
  };
  context.stopSignal.addEventListener('abort', onStop);
  context.abortSignal.addEventListener('abort', onAbort);
  if (context.stopSignal.aborted) onStop();
  if (context.abortSignal.aborted) onAbort();

  /** Writes the epoch's checkpoint; the best epoch's model files are linked into best/ (no second copy). */
  const checkpoint = async (epoch: number, stoppedEarly: boolean, isBest: boolean): Promise<void> => {
    const at = context.checkpointPath(epoch);
    const files = await model.writeCheckpoint(at, decision);
    await writeTrainerState(at, { epoch, step, earlyStopping: tracker.exportState(), stoppedEarly, stagesEndedEarly }, await model.optimizerSnapshot());
    if (isBest) {
      await mkdir(bestFolder, { recursive: true });
      // config.json last, as every folder writer does: a best/ with a config.json is complete.
      for (const name of [...files.filter((file) => file !== CONFIG_FILE), CONFIG_FILE]) await linkFileAtomic(path.join(at, name), path.join(bestFolder, name));
    }
    await context.recordCheckpoint({ epoch, step, epochs: history });
  };

  try {
    stages: for (let stageIndex = 0; stageIndex < stages.length; stageIndex++) {
      const stage = stages[stageIndex]!;
      const scheduled = schedule.stages[stageIndex]!;
      const plan = plans[stageIndex]!;
      const firstEpoch = stageFirstEpoch[stageIndex]!;
      const endEpoch = firstEpoch + stage.epochs;
      if (endEpoch <= epochsDone || stage.epochs === 0) continue;
      const resumedWithin = epochsDone > firstEpoch;
      if (!resumedWithin) step = scheduled.startStep;
      context.emit({ kind: 'stage', index: stageIndex, name: scheduled.name, step: scheduled.startStep, frozen: describeFreezePlan(plan) });
      const caching = (done: number, total: number, ms: number): void => {
        meter.cachingAt({ done, total, ms });
        const now = context.now();
        if (now - lastEmit < context.progressIntervalMs || done === total) return;
        lastEmit = now;
        context.emit({ kind: 'caching', stage: scheduled.name, done, total, ...progressAt(stageIndex, scheduled.steps) });
      };
      for (const notice of await model.startStage({ index: stageIndex, scheduled, plan, caching })) context.emit({ kind: 'log', ...notice });
      meter.cachingAt(undefined);
      // Later stages that train the whole model, until their own steps are timed.
      const laterMs = model.laterMsPerStep();
      if (laterMs !== undefined) for (let later = stageIndex + 1; later < stages.length; later++) if (!plans[later]!.encoderFrozen) meter.assume(later, laterMs);
      // Patience counts within the stage: a new stage gets its own chance to beat the best so far.
      if (!resumedWithin) tracker.restartPatience();

      for (let epoch = Math.max(firstEpoch, epochsDone); epoch < endEpoch; epoch++) {
        let sinceProgress = context.now();
        const result = await model.trainEpoch({
          epoch,
          firstStep: step,
          stage: { index: stageIndex, scheduled, plan },
          halt: halt.signal,
          onProgress: (reached, loss, examples) => {
            const now = context.now();
            const rowDue = Math.floor(reached / logEverySteps) > Math.floor(step / logEverySteps);
            meter.step(stageIndex, now - sinceProgress, examples, reached - step);
            sinceProgress = now;
            step = reached;
            const lastOfEpoch = reached === (epoch + 1 - firstEpoch) * stepsPerEpoch + scheduled.startStep;
            const progressDue = now - lastEmit >= context.progressIntervalMs || lastOfEpoch;
            if (!progressDue && !rowDue) return;
            const event: RunStep = {
              kind: 'step',
              step,
              epoch: epoch + 1,
              loss,
              learningRate: schedule.at(Math.min(step, schedule.totalSteps) - 1).learningRate,
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
          },
        });
        if (result.nonFinite) {
          throw new RunError(
            `The training loss became ${String(result.nonFinite.loss)} at step ${result.nonFinite.step + 1} (stage ${scheduled.name}, epoch ${epoch + 1}); the run stopped and wrote no model. Lower this stage's learning_rate (now ${stage.learning_rate}) or set training.max_grad_norm, and train again.`,
            ['training', 'stages', stageIndex, 'learning_rate'],
          );
        }
        if (!result.completed) break stages;

        const overheadStart = context.now();
        const evaluate = validationSet !== undefined && (evalEvery === 'epoch' || epoch === endEpoch - 1);
        const evaluation = evaluate ? await model.evaluate(decision) : undefined;
        const event: RunEpoch = {
          kind: 'epoch',
          epoch: epoch + 1,
          step,
          trainLoss: result.lossSum / result.examples,
          stage: scheduled.name,
          ...(evaluation ? { validation: validationOf(evaluation) } : {}),
          memory: tensorMemory(),
        };
        history.push(event);
        context.emit(event);
        let endsStage = false;
        let improved = false;
        if (evaluation) {
          const verdict = tracker.update(metricValue(evaluation, metric), epoch + 1);
          improved = verdict.improved;
          if (improved) best = await model.exportState();
          if (earlyStoppingConfig && verdict.shouldStop && epoch < endEpoch - 1) {
            endsStage = true;
            stagesEndedEarly.push(scheduled.name);
            const next = stages.findIndex((later, index) => index > stageIndex && later.epochs > 0);
            context.emit({
              kind: 'log',
              level: 'info',
              message:
                `Early stopping ended stage ${scheduled.name} after epoch ${epoch + 1} of ${endEpoch}: validation ${metric} has not improved for ${verdict.waited} evaluation(s); the best was ${verdict.best.toFixed(4)} after epoch ${verdict.bestAt}. ` +
                (next >= 0 ? `The schedule goes on with stage ${schedule.stages[next]!.name}.` : 'That was the last stage.'),
            });
          }
        }
        if (context.abortSignal.aborted) break stages;
        await checkpoint(epoch + 1, endsStage, improved);
        epochsDone = endsStage ? endEpoch : epoch + 1;
        meter.epochOverhead(context.now() - overheadStart);
        if (endsStage) break;
      }
      for (const notice of model.endStage()) context.emit({ kind: 'log', ...notice });
    }
  } finally {
    context.stopSignal.removeEventListener('abort', onStop);
    context.abortSignal.removeEventListener('abort', onAbort);
  }

  const common = {
    task: 'text-classification',
    labels,
    multiLabel: data.multiLabel,
    epochs: totalEpochs,
    epochsCompleted: history.length,
    steps: step,
    metric,
    stoppedEarly: stagesEndedEarly.length > 0,
    stagesEndedEarly,
    ...model.summary(),
  };
  if (halted === 'abort') {
    context.emit({ kind: 'log', level: 'warning', message: `Aborted during epoch ${epochsDone + 1}: no checkpoint saved for the unfinished epoch.` });
    return { status: 'stopped', summary: { ...common, aborted: true } };
  }
  if (halted === 'stop') {
    const resumePoint = await context.latestCheckpoint();
    if (resumePoint) context.emit({ kind: 'checkpoint', path: resumePoint.path, epoch: resumePoint.epoch, step: resumePoint.step });
    else {
      // Nothing finished yet: the resume point is the untrained start (the same seeded fresh head).
      const start = context.checkpointPath(0);
      await model.writeInitialFolder(start);
      await writeTrainerState(start, { epoch: 0, step: 0, earlyStopping: null, stoppedEarly: false }, undefined);
      await context.recordCheckpoint({ epoch: 0, step: 0, epochs: [] });
    }
    context.emit({ kind: 'log', level: 'info', message: `Stopped after epoch ${epochsDone} of ${totalEpochs}; the unfinished epoch runs again from its start on resume.` });
    return { status: 'stopped', summary: { ...common, resumable: true } };
  }

  const bestEpoch = tracker.bestAt;
  const lastEpoch = history[history.length - 1]?.epoch;
  if (best !== undefined && bestEpoch !== null && bestEpoch !== lastEpoch) {
    model.importState(best);
    context.emit({ kind: 'log', level: 'info', message: `Writing the best model: epoch ${bestEpoch} (validation ${metric} ${tracker.best?.toFixed(4)}), not the last.` });
  }
  // Outside a stage, evaluation runs through the whole model: what is scored is what is written.
  let final = validationSet ? await model.evaluate(decision) : undefined;
  if (final?.probabilities && decision.multiLabel && training.decision_threshold === 'tune' && validationSet?.targets) {
    const tuned = tuneThreshold(final.probabilities, validationSet.targets, labels.length);
    decision = { multiLabel: true, threshold: tuned.threshold };
    final = await model.evaluate(decision);
    context.emit({ kind: 'log', level: 'info', message: `Decision threshold tuned on the validation data: ${tuned.threshold} (micro-F1 ${tuned.microF1.toFixed(4)}); it is stored with the model.` });
  }
  if (final) {
    const perClass = final.metrics.perClass.map((entry) => `${entry.label ?? entry.id} F1 ${entry.f1.toFixed(3)}`).join(', ');
    const headline = data.multiLabel
      ? `micro-F1 ${final.metrics.microF1.toFixed(4)}, macro-F1 ${final.metrics.macroF1.toFixed(4)}, exact-match accuracy ${final.metrics.accuracy.toFixed(4)} at threshold ${(decision as { threshold: number }).threshold}`
      : `accuracy ${final.metrics.accuracy.toFixed(4)}, macro-F1 ${final.metrics.macroF1.toFixed(4)}`;
    context.emit({
      kind: 'log',
      level: 'info',
      message: `Final model${bestEpoch !== null ? ` (epoch ${bestEpoch})` : ''} on validation: ${headline}, loss ${final.loss.toFixed(4)} (${perClass}).`,
    });
  }
  const files = (await model.writeFolder(folder.dir, decision)).map((name) => path.join(folder.dir, name));
  const onnx = formats.includes('onnx') ? await exportRunOnnx(folder.dir, { quantize: config.output.quantize ?? false, validation: validationSet, batchSize }) : undefined;
  return {
    status: 'completed',
    summary: {
      ...common,
      bestEpoch,
      ...(final ? finalMetrics(final) : {}),
      trainLoss: history[history.length - 1]?.trainLoss,
      ...(onnx ? { onnx: onnx.summary } : {}),
      files: [...files, ...(onnx?.files ?? [])],
    },
  };
}

export const classificationTrainer: TaskTrainer = {
  defaultFormats: ['huggingface'],
  // Word-vector classifiers train on their own kernel; BERT computes with TensorFlow.js.
  usesTensorBackend: (config) => (config.model?.type ?? 'bert') !== 'embedding-classifier',
  train,
};
