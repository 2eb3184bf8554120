// The `text-classification` task, for every `model.type` (classification/prepareClassification.ts):
// the staged schedule of training.stages (each with its own epochs, learning rate, warm-up + linear
// decay and freeze plan), validation every epoch, early stopping (which ends the stage it happens in,
// and the schedule goes on with the next), the best model kept, checkpoints, stop and resume (at the
// step where it stopped: stopAndResume.ts), the model's folder out. How a model computes —
// TensorFlow.js tensors for BERT, the sparse multi-threaded kernel for word-vector classifiers — is
// its ClassifierTraining (classification/classifierTraining.ts).
//
// The run in named steps: prepare (prepareClassification, planRun), resume, the stage loop
// (runStages → runStage → runEpoch → endEpoch), stop/abort (halted), evaluate and export (finish).
import { mkdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { RunEpoch, RunStep, ValidationMetrics } from '../../common/protocol/runEvents';
import type { Output } from '../../common/schema/config.generated';
import { configuredDecision, type Decision } from '../models/decision';
import { readSafetensors, type FloatTensor } from '../models/safetensors';
import { EarlyStopping, type EarlyStoppingMetric } from '../training/earlyStopping';
import { describeFreezePlan } from '../training/freezeSpec';
import { tuneThreshold } from '../training/multiLabelMetrics';
import { ProgressMeter } from '../training/progressMeter';
import { tensorMemory } from '../backend/tensorMemory';
import { exportRunOnnx } from '../onnx/runOnnxExport';
import { linkFileAtomic } from '../io/atomicWrite';
import { BackgroundWrite } from '../io/backgroundWrite';
import { CONFIG_FILE, MODEL_FILE, readTrainerState, writeTrainerState } from './classification/classifierFolder';
import type { CheckpointModelWriter, EpochPosition, EpochResult } from './classification/classifierTraining';
import { prepareClassification, type PreparedClassification } from './classification/prepareClassification';
import { firstStepOfEpoch, planRun, stageOfEpoch, type RunPlan } from './classification/runPlan';
import type { Evaluation } from '../training/classifierScores';
import { RunError } from './runError';
import { epochCheckpointDue } from './checkpoints';
import { abortedRun, RunHalt, stoppedRun, type HaltPoint } from './stopAndResume';
import type { TaskTrainer, TrainerContext, TrainerResult } from './trainerContext';
import { sectionOf } from '../config/resolvedConfig';

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
  let run: ClassificationRun | undefined;
  try {
    run = new ClassificationRun(context, prepared);
    await run.resume();
    run.start();
    const halted = await run.runStages();
    return halted ? await run.halted(halted) : await run.finish(formats);
  } finally {
    // Also on a failure: no checkpoint is left being written as the run lets go of its folder, and the
    // sparse kernel's threads and the tensors go. (A write's own failure surfaces in halted and finish.)
    await run?.settleCheckpoints().catch(() => undefined);
    await prepared.training.dispose();
  }
}

/** A halted stage loop: where it was (for the checkpoint and the message) and why. */
interface Halted {
  readonly point: HaltPoint;
  /** The epoch in progress, when the halt came inside one. */
  readonly within: EpochPosition | undefined;
}

/** One run's changing state, everything a checkpoint keeps, and the steps that move it on. */
class ClassificationRun {
  private readonly plan: RunPlan;
  private readonly tracker: EarlyStopping;
  private readonly meter: ProgressMeter;
  private readonly halt: RunHalt;
  private readonly bestFolder: string;
  private decision: Decision;
  private best: ReadonlyMap<string, FloatTensor> | undefined;
  private readonly history: RunEpoch[] = [];
  private readonly stagesEndedEarly: string[] = [];
  /** Epochs of the schedule behind us: done, or skipped because early stopping ended their stage. */
  private epochsDone = 0;
  private step = 0;
  /** Where the checkpoint resumed from stood inside its epoch (consumed by that epoch). */
  private within: EpochPosition | undefined;
  private lastEmit = Number.NEGATIVE_INFINITY;
  /**
   * Seconds this session spent before training (reading the data and the vectors, building the model):
   * the progress bar measures training time, which its ETA estimates; set up, a run has trained none.
   */
  private readonly setupSeconds: number;
  private readonly checkpointWrite = new BackgroundWrite();

  constructor(
    private readonly context: TrainerContext,
    private readonly prepared: PreparedClassification,
  ) {
    const training = sectionOf(context.config, 'training');
    this.plan = planRun(training, prepared.train.count, [...prepared.training.groups.keys()]);
    // Without early_stopping the best epoch is still tracked (on the schema's default metric, validation loss), never stopping, so the best model is written.
    const { patience, min_delta } = training.early_stopping ?? { patience: Number.MAX_SAFE_INTEGER, min_delta: 0 };
    this.tracker = new EarlyStopping({ metric: this.plan.metric, patience, min_delta });
    this.decision = configuredDecision(prepared.data.multiLabel, training.decision_threshold);
    // Stages that freeze the same groups cost alike per step.
    this.meter = new ProgressMeter(this.plan.schedule.stages.map((stage, index) => ({ steps: stage.steps, kind: describeFreezePlan(this.plan.plans[index]!) })));
    this.bestFolder = path.join(context.folder.checkpoints, BEST_FOLDER);
    this.halt = new RunHalt(context);
    this.setupSeconds = context.elapsedSeconds() - (context.resumeFrom?.elapsedSeconds ?? 0);
  }

  /** Continues from the checkpoint of `resume`: model, optimiser, early stopping, position. */
  async resume(): Promise<void> {
    const checkpoint = this.context.resumeFrom;
    if (!checkpoint) return;
    const { plan } = this;
    const { state, optimizer } = await readTrainerState(checkpoint.path);
    await this.prepared.training.restore(checkpoint.path, optimizer);
    if (state.earlyStopping) this.tracker.importState(state.earlyStopping);
    this.epochsDone = state.epoch;
    this.step = checkpoint.step;
    this.within = state.within;
    this.stagesEndedEarly.push(...(state.stagesEndedEarly ?? []));
    if (state.stoppedEarly) {
      const ended = stageOfEpoch(plan, state.epoch - 1);
      if (ended >= 0) this.epochsDone = plan.stageFirstEpoch[ended]! + plan.stages[ended]!.epochs;
    }
    this.history.push(...checkpoint.epochs);
    this.best = await readSafetensors(path.join(this.bestFolder, MODEL_FILE)).then((read) => read.tensors, () => undefined);
    const at = this.within
      ? `at step ${checkpoint.step}, ${this.within.batches} of ${plan.stepsPerEpoch} steps into epoch ${this.epochsDone + 1} of ${plan.totalEpochs}`
      : `after epoch ${checkpoint.epoch} of ${plan.totalEpochs}`;
    this.prepared.notices.push({ level: 'info', message: `Resuming from ${checkpoint.path} ${at}.` });
  }

  /** Emits `started` and the run's first log lines. */
  start(): void {
    const { context, plan, prepared } = this;
    const { data, train: trainSet, validation: validationSet } = prepared;
    const labels = data.labels.names;
    const { stages, schedule, totalEpochs } = plan;
    context.started({
      totalSteps: schedule.totalSteps,
      epochs: totalEpochs,
      stages: schedule.stages.map((stage, index) => ({ name: stage.name, startStep: stage.startStep, epochs: stages[index]!.epochs })),
      backend: prepared.training.backend,
      metric: plan.metric,
      ...(context.resumeFrom ? { resumedFrom: { epoch: context.resumeFrom.epoch, step: context.resumeFrom.step } } : {}),
    });
    context.emit({
      kind: 'log',
      level: 'info',
      message:
        `${trainSet.count} training and ${validationSet?.count ?? 0} validation examples, ${labels.length} labels (${labels.join(', ')})${data.multiLabel ? ', multi-label' : ''}; ` +
        `${stages.length} stage${stages.length === 1 ? '' : 's'}, ${totalEpochs} epochs of ${plan.stepsPerEpoch} steps (batch ${plan.batchSize}, max_length ${prepared.maxLength}); ` +
        `${prepared.description}.`,
    });
    for (const notice of prepared.notices) context.emit({ kind: 'log', ...notice });
  }

  /** The stage loop; resolves with where it halted, or undefined when the schedule ran to its end. */
  async runStages(): Promise<Halted | undefined> {
    try {
      for (let stageIndex = 0; stageIndex < this.plan.stages.length; stageIndex++) {
        const halted = await this.runStage(stageIndex);
        if (halted) return halted;
      }
      return undefined;
    } finally {
      this.halt.dispose();
    }
  }

  private async runStage(stageIndex: number): Promise<Halted | undefined> {
    const { context, plan, meter } = this;
    const model = this.prepared.training;
    const stage = plan.stages[stageIndex]!;
    const scheduled = plan.schedule.stages[stageIndex]!;
    const freeze = plan.plans[stageIndex]!;
    const firstEpoch = plan.stageFirstEpoch[stageIndex]!;
    const endEpoch = firstEpoch + stage.epochs;
    if (endEpoch <= this.epochsDone || stage.epochs === 0) return undefined;
    if (this.halt.signal.aborted) return this.haltedAt(undefined); // before caching a stage's features
    const resumedWithin = this.epochsDone > firstEpoch || this.within !== undefined;
    if (!resumedWithin) this.step = scheduled.startStep;
    context.emit({ kind: 'stage', index: stageIndex, name: scheduled.name, step: scheduled.startStep, frozen: describeFreezePlan(freeze) });
    const caching = (done: number, total: number, ms: number): void => {
      meter.cachingAt({ done, total, ms });
      const now = context.now();
      if (now - this.lastEmit < context.progressIntervalMs || done === total) return;
      this.lastEmit = now;
      context.emit({ kind: 'caching', stage: scheduled.name, done, total, ...this.progressAt(stageIndex, scheduled.steps) });
    };
    for (const notice of await model.startStage({ index: stageIndex, scheduled, plan: freeze, caching })) context.emit({ kind: 'log', ...notice });
    meter.cachingAt(undefined);
    // Later stages that train the whole model, until their own steps are timed.
    const laterMs = model.laterMsPerStep();
    if (laterMs !== undefined) for (let later = stageIndex + 1; later < plan.stages.length; later++) if (!plan.plans[later]!.encoderFrozen) meter.assume(later, laterMs);
    // Patience counts within the stage: a new stage gets its own chance to beat the best so far.
    if (!resumedWithin) this.tracker.restartPatience();

    for (let epoch = Math.max(firstEpoch, this.epochsDone); epoch < endEpoch; epoch++) {
      const result = await this.runEpoch(stageIndex, epoch);
      if (!result.completed) return this.haltedAt(result);
      if (this.context.abortSignal.aborted) return this.haltedAt(undefined);
      if (await this.endEpoch(stageIndex, epoch, result)) break;
    }
    for (const notice of model.endStage()) context.emit({ kind: 'log', ...notice });
    return undefined;
  }

  /** Trains one epoch (or the rest of the one resumed inside), reporting steps as they end. */
  private async runEpoch(stageIndex: number, epoch: number): Promise<EpochResult> {
    const { context, plan, meter } = this;
    const scheduled = plan.schedule.stages[stageIndex]!;
    const firstStep = firstStepOfEpoch(plan, stageIndex, epoch);
    const from = this.within;
    this.within = undefined;
    let sinceProgress = context.now();
    const result = await this.prepared.training.trainEpoch({
      epoch,
      firstStep,
      ...(from && { from }),
      stage: { index: stageIndex, scheduled, plan: plan.plans[stageIndex]! },
      halt: this.halt.signal,
      onProgress: (reached, loss, examples) => {
        const now = context.now();
        meter.step(stageIndex, now - sinceProgress, examples, reached - this.step);
        sinceProgress = now;
        this.stepEnded(stageIndex, epoch, reached, loss, reached === firstStep + plan.stepsPerEpoch);
      },
    });
    if (result.nonFinite) {
      throw new RunError(
        `The training loss became ${String(result.nonFinite.loss)} at step ${result.nonFinite.step + 1} (stage ${scheduled.name}, epoch ${epoch + 1}); the run stopped and wrote no model. Lower this stage's learning_rate (now ${plan.stages[stageIndex]!.learning_rate}) or set training.max_grad_norm, and train again.`,
        ['training', 'stages', stageIndex, 'learning_rate'],
      );
    }
    return result;
  }

  /** A `step` event (throttled) and a metrics.jsonl row every training.log_every_steps. */
  private stepEnded(stageIndex: number, epoch: number, reached: number, loss: number, lastOfEpoch: boolean): void {
    const { context, plan } = this;
    const scheduled = plan.schedule.stages[stageIndex]!;
    const now = context.now();
    const rowDue = Math.floor(reached / plan.logEverySteps) > Math.floor(this.step / plan.logEverySteps);
    this.step = reached;
    const progressDue = now - this.lastEmit >= context.progressIntervalMs || lastOfEpoch;
    if (!progressDue && !rowDue) return;
    const event: RunStep = {
      kind: 'step',
      step: reached,
      epoch: epoch + 1,
      loss,
      learningRate: plan.schedule.at(Math.min(reached, plan.schedule.totalSteps) - 1).learningRate,
      throughput: this.meter.takeThroughput(),
      throughputUnit: 'samples/s',
      stage: scheduled.name,
      ...this.progressAt(stageIndex, scheduled.startStep + scheduled.steps - reached),
    };
    if (rowDue) context.logStep(event);
    if (progressDue) {
      context.emit(event);
      this.lastEmit = now;
    }
  }

  /** Progress, ETA and elapsed time for an event at `stageIndex` with `stepsLeft` of its steps to run. */
  private progressAt(stageIndex: number, stepsLeft: number): { progress: number; etaSeconds?: number; elapsedSeconds: number } {
    const { schedule, totalEpochs } = this.plan;
    const etaSeconds = this.meter.etaSeconds({ stage: stageIndex, stepsLeftInStage: stepsLeft, epochsLeft: totalEpochs - this.epochsDone });
    const elapsedSeconds = this.context.elapsedSeconds();
    const progress = this.meter.progress(elapsedSeconds - this.setupSeconds, etaSeconds, schedule.totalSteps > 0 ? this.step / schedule.totalSteps : 1);
    return { progress, ...(etaSeconds !== undefined && { etaSeconds }), elapsedSeconds };
  }

  /** After an epoch: validation, the epoch event, early stopping, the checkpoint; true when the stage ends early. */
  private async endEpoch(stageIndex: number, epoch: number, result: EpochResult): Promise<boolean> {
    const { context, plan } = this;
    const scheduled = plan.schedule.stages[stageIndex]!;
    const endEpoch = plan.stageFirstEpoch[stageIndex]! + plan.stages[stageIndex]!.epochs;
    const overheadStart = context.now();
    const evaluate = this.prepared.validation !== undefined && (plan.evalEvery === 'epoch' || epoch === endEpoch - 1);
    const evaluation = evaluate ? await this.prepared.training.evaluate(this.decision) : undefined;
    const event: RunEpoch = {
      kind: 'epoch',
      epoch: epoch + 1,
      step: this.step,
      trainLoss: result.lossSum / result.examples,
      stage: scheduled.name,
      ...(evaluation ? { validation: validationOf(evaluation) } : {}),
      memory: tensorMemory(),
    };
    this.history.push(event);
    context.emit(event);
    const verdict = evaluation ? this.tracker.update(metricValue(evaluation, plan.metric), epoch + 1) : undefined;
    if (verdict?.improved) this.best = await this.prepared.training.exportState();
    const endsStage = plan.training.early_stopping !== undefined && verdict?.shouldStop === true && epoch < endEpoch - 1;
    if (endsStage && verdict) {
      this.stagesEndedEarly.push(scheduled.name);
      const next = plan.stages.findIndex((later, index) => index > stageIndex && later.epochs > 0);
      context.emit({
        kind: 'log',
        level: 'info',
        message:
          `Early stopping ended stage ${scheduled.name} after epoch ${epoch + 1} of ${endEpoch}: validation ${plan.metric} has not improved for ${verdict.waited} evaluation(s); the best was ${verdict.best.toFixed(4)} after epoch ${verdict.bestAt}. ` +
          (next >= 0 ? `The schedule goes on with stage ${plan.schedule.stages[next]!.name}.` : 'That was the last stage.'),
      });
    }
    if (context.abortSignal.aborted) return endsStage;
    const epochsDone = endsStage ? endEpoch : epoch + 1;
    if (epochCheckpointDue(context.config.output.checkpoint_every, epochsDone, plan.totalEpochs)) await this.epochCheckpoint(epoch + 1, endsStage, verdict?.improved === true);
    this.epochsDone = epochsDone;
    this.meter.epochOverhead(context.now() - overheadStart);
    return endsStage;
  }

  /**
   * Copies, now, the model and what resuming needs beside it (optimiser, early stopping, position);
   * returns the writer of that copy into a folder, which returns the model's file names.
   */
  private async checkpointCopy(epoch: number, extra: { stoppedEarly: boolean; within?: EpochPosition }): Promise<CheckpointModelWriter> {
    const model = this.prepared.training;
    const writeModel = await model.checkpointModel(this.decision);
    const optimizer = await model.optimizerSnapshot();
    const state = { epoch, step: this.step, earlyStopping: this.tracker.exportState(), stagesEndedEarly: [...this.stagesEndedEarly], ...extra };
    return async (dir) => {
      const files = await writeModel(dir);
      await writeTrainerState(dir, state, optimizer);
      return files;
    };
  }

  /**
   * The epoch's checkpoint, copied now and written while the next epoch trains; the best epoch's model
   * files are linked into best/ (no second copy).
   */
  private async epochCheckpoint(epoch: number, stoppedEarly: boolean, isBest: boolean): Promise<void> {
    await this.checkpointWrite.start(async () => {
      const write = await this.checkpointCopy(epoch, { stoppedEarly });
      const record = { epoch, step: this.step, epochs: [...this.history] };
      return async () => {
        const at = this.context.checkpointPath(epoch);
        const files = await write(at);
        if (isBest) {
          await mkdir(this.bestFolder, { recursive: true });
          // config.json last, as every folder writer does: a best/ with a config.json is complete.
          for (const name of [...files.filter((file) => file !== CONFIG_FILE), CONFIG_FILE]) await linkFileAtomic(path.join(at, name), path.join(this.bestFolder, name));
        }
        await this.context.recordCheckpoint(record);
      };
    });
  }

  /** Waits for the epoch checkpoint being written (throwing what it failed with). */
  settleCheckpoints(): Promise<void> {
    return this.checkpointWrite.settle();
  }

  private haltedAt(result: EpochPosition | undefined): Halted {
    const { plan, epochsDone, step } = this;
    const into = result?.batches ?? 0;
    const where = into > 0 ? `epoch ${epochsDone + 1} of ${plan.totalEpochs}, ${into} of ${plan.stepsPerEpoch} steps into it` : `after epoch ${epochsDone} of ${plan.totalEpochs}`;
    return { point: { epoch: epochsDone, step, intoEpoch: into, where, epochs: this.history }, within: into > 0 ? result : undefined };
  }

  /** Stop: a checkpoint at the step it stopped at; abort: nothing saved. */
  async halted({ point, within }: Halted): Promise<TrainerResult> {
    await this.settleCheckpoints();
    const summary = this.summaryCommon();
    if (this.halt.reason === 'abort') return abortedRun(this.context, point, summary);
    const position = within && { batches: within.batches, lossSum: within.lossSum, examples: within.examples };
    const write = await this.checkpointCopy(point.epoch, { stoppedEarly: false, ...(position && { within: position }) });
    return stoppedRun(this.context, point, (dir) => write(dir).then(() => undefined), summary);
  }

  private summaryCommon(): Record<string, unknown> {
    const { data } = this.prepared;
    return {
      task: 'text-classification',
      labels: data.labels.names,
      multiLabel: data.multiLabel,
      epochs: this.plan.totalEpochs,
      epochsCompleted: this.history.length,
      steps: this.step,
      metric: this.plan.metric,
      stoppedEarly: this.stagesEndedEarly.length > 0,
      stagesEndedEarly: this.stagesEndedEarly,
      ...this.prepared.training.summary(),
    };
  }

  /** The schedule ran out: the best epoch's model, evaluated, written as the run's folder (and ONNX). */
  async finish(formats: readonly OutputFormat[]): Promise<TrainerResult> {
    const { context, plan, tracker, prepared } = this;
    const model = prepared.training;
    const bestEpoch = tracker.bestAt;
    const lastEpoch = this.history[this.history.length - 1]?.epoch;
    if (this.best !== undefined && bestEpoch !== null && bestEpoch !== lastEpoch) {
      model.importState(this.best);
      context.emit({ kind: 'log', level: 'info', message: `Writing the best model: epoch ${bestEpoch} (validation ${plan.metric} ${tracker.best?.toFixed(4)}), not the last.` });
    }
    const final = await this.finalEvaluation();
    // Written into the staging folder; the paths reported are where the files are once swapped in.
    const { modelDir } = context;
    const inRunFolder = (file: string): string => path.join(context.folder.dir, path.relative(modelDir, path.resolve(modelDir, file)));
    const files = (await model.writeFolder(modelDir, this.decision)).map(inRunFolder);
    const onnx = formats.includes('onnx') ? await exportRunOnnx(modelDir, { quantize: context.config.output.quantize, validation: prepared.validation, batchSize: plan.batchSize }) : undefined;
    await this.settleCheckpoints();
    // The last epoch was the best: best/ holds an earlier one, which the run folder supersedes.
    if (bestEpoch === lastEpoch) await rm(this.bestFolder, { recursive: true, force: true });
    return {
      status: 'completed',
      summary: {
        ...this.summaryCommon(),
        bestEpoch,
        ...(final ? finalMetrics(final) : {}),
        trainLoss: this.history[this.history.length - 1]?.trainLoss,
        ...(onnx ? { onnx: onnx.summary } : {}),
        files: [...files, ...(onnx?.files.map(inRunFolder) ?? [])],
      },
    };
  }

  /** Outside a stage, evaluation runs through the whole model: what is scored is what is written. */
  private async finalEvaluation(): Promise<Evaluation | undefined> {
    const { context, prepared, plan } = this;
    const { validation, data } = prepared;
    const labels = data.labels.names;
    let final = validation ? await prepared.training.evaluate(this.decision) : undefined;
    if (final?.probabilities && this.decision.multiLabel && plan.training.decision_threshold === 'tune' && validation?.targets) {
      const tuned = tuneThreshold(final.probabilities, validation.targets, labels.length);
      this.decision = { multiLabel: true, threshold: tuned.threshold };
      final = await prepared.training.evaluate(this.decision);
      context.emit({ kind: 'log', level: 'info', message: `Decision threshold tuned on the validation data: ${tuned.threshold} (micro-F1 ${tuned.microF1.toFixed(4)}); it is stored with the model.` });
    }
    if (!final) return undefined;
    const perClass = final.metrics.perClass.map((entry) => `${entry.label ?? entry.id} F1 ${entry.f1.toFixed(3)}`).join(', ');
    const headline = data.multiLabel
      ? `micro-F1 ${final.metrics.microF1.toFixed(4)}, macro-F1 ${final.metrics.macroF1.toFixed(4)}, exact-match accuracy ${final.metrics.accuracy.toFixed(4)} at threshold ${(this.decision as { threshold: number }).threshold}`
      : `accuracy ${final.metrics.accuracy.toFixed(4)}, macro-F1 ${final.metrics.macroF1.toFixed(4)}`;
    const bestEpoch = this.tracker.bestAt;
    context.emit({ kind: 'log', level: 'info', message: `Final model${bestEpoch !== null ? ` (epoch ${bestEpoch})` : ''} on validation: ${headline}, loss ${final.loss.toFixed(4)} (${perClass}).` });
    return final;
  }
}

export const classificationTrainer: TaskTrainer = {
  defaultFormats: ['huggingface'],
  // Word-vector classifiers train on their own kernel; BERT computes with TensorFlow.js.
  usesTensorBackend: (config) => sectionOf(config, 'model').type !== 'embedding-classifier',
  train,
};
