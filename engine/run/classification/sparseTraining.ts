// A word-vector classifier behind the trainer's ClassifierTraining, on the sparse kernel
// (engine/sparseClassifier): no padding, only the rows a batch touches updated, every thread taking
// whole batches. While the embeddings are frozen the pooled features are computed once per stage.
import { SeededRandom } from '../../data/seededRandom';
import { ADAMW_DEFAULTS } from '../../training/adamW';
import type { TokenizedExamples } from '../../data/tokenizedExamples';
import type { Decision } from '../../models/decision';
import type { FloatTensor } from '../../models/safetensors';
import type { PooledSource, TrainSettings } from '../../sparseClassifier/kernel';
import { SparseModel } from '../../sparseClassifier/sparseModel';
import type { ClassifierTraining, EpochPosition, EpochResult, EpochRun, OptimizerSnapshot, TrainingStage } from './classifierTraining';
import type { Notice } from './classifierModel';
import { scoreLogits } from '../../training/classifierScores';
import type { ResolvedTraining } from '../../config/resolvedConfig';

export interface SparseTrainingOptions {
  readonly model: SparseModel;
  readonly train: TokenizedExamples;
  readonly validation: TokenizedExamples | undefined;
  readonly labels: readonly string[];
  readonly training: ResolvedTraining;
  readonly dropout: number;
  readonly seed: number;
  /** Writes a model folder from parameters (a checkpoint: without vectors.txt, only the embedding rows that train). */
  writeFolder(dir: string, state: ReadonlyMap<string, FloatTensor>, options: { decision?: Decision; checkpoint?: boolean }): Promise<string[]>;
  /** The parameters of a checkpoint folder (checked against this run's vocabulary). */
  readState(dir: string): Promise<ReadonlyMap<string, FloatTensor>>;
  now(): number;
  progressIntervalMs: number;
}

export const GROUPS: ReadonlyMap<string, readonly string[]> = new Map([
  ['embeddings', ['embeddings.weight']],
  ['head', ['pre_classifier.weight', 'pre_classifier.bias', 'classifier.weight', 'classifier.bias']],
]);

export function sparseTraining(options: SparseTrainingOptions): ClassifierTraining {
  const { model, train: trainSet, labels, training, seed } = options;
  const now = (): number => options.now();
  const batchSize = training.batch_size;
  const optimizer = training.optimizer;
  const settings = (trainEmbeddings: boolean): TrainSettings => ({
    trainEmbeddings,
    optimizer: optimizer === 'sgd' ? 'sgd' : 'adamw',
    ...ADAMW_DEFAULTS,
    weightDecay: optimizer === 'adamw' ? training.weight_decay : 0,
    maxGradNorm: training.max_grad_norm,
    dropout: options.dropout,
  });
  let source: PooledSource = 'tokens';
  let trainEmbeddings = true;
  const threads = model.threads.count;
  // Each copy of the model is taken into the arrays of the last one of its kind: the run keeps one best
  // state (the trainer replaces it) and writes one checkpoint at a time (it waits for the last to be
  // written before it copies the next).
  let best: Map<string, FloatTensor> | undefined;
  let checkpointCopy: Map<string, FloatTensor> | undefined;
  let optimizerCopy: OptimizerSnapshot | undefined;

  return {
    groups: GROUPS,
    backend: {
      name: 'sparse kernel',
      reason: `the embedding classifier's own WebAssembly SIMD kernel on ${threads} thread${threads === 1 ? '' : 's'}: no padding, and only the embedding rows a batch touches are updated`,
    },

    async startStage({ scheduled, plan }: TrainingStage): Promise<Notice[]> {
      trainEmbeddings = !plan.encoderFrozen;
      if (trainEmbeddings) {
        source = 'tokens';
        return [];
      }
      const start = now();
      await model.encodePooled();
      source = 'cached';
      const ms = now() - start;
      return [
        {
          level: 'info',
          message: `Stage ${scheduled.name}: the embeddings are frozen, so the pooled token vectors were computed once (${trainSet.count + (options.validation?.count ?? 0)} examples in ${ms.toFixed(0)} ms) and the head trains on cached features.`,
        },
      ];
    },

    async trainEpoch(run: EpochRun): Promise<EpochResult> {
      model.setOrder(new SeededRandom(seed, 2 * run.epoch).shuffle(Array.from({ length: trainSet.count }, (_, i) => i)));
      const from = run.from ?? { batches: 0, lossSum: 0, examples: 0 };
      let reported = from;
      const report = (totals: EpochPosition): void => {
        if (totals.batches === reported.batches) return;
        const examples = totals.examples - reported.examples;
        run.onProgress(run.firstStep + totals.batches, (totals.lossSum - reported.lossSum) / Math.max(1, examples), examples);
        reported = totals;
      };
      const cancel = (): void => model.cancel();
      run.halt.addEventListener('abort', cancel);
      try {
        if (run.halt.aborted) return { ...from, completed: false };
        const job = { batchSize, firstStep: run.firstStep, stage: run.stage.scheduled, settings: settings(trainEmbeddings), source, seed };
        const result = await model.runEpoch(job, from, options.progressIntervalMs, report);
        const position = { batches: result.batches, lossSum: result.lossSum, examples: result.examples };
        if (!Number.isFinite(result.lossSum)) return { ...position, completed: false, nonFinite: { step: run.firstStep + Math.max(0, result.batches - 1), loss: result.lossSum } };
        report(result);
        return { ...position, completed: !result.cancelled };
      } finally {
        run.halt.removeEventListener('abort', cancel);
      }
    },

    async evaluate(decision: Decision) {
      if (!options.validation) throw new Error('no validation data to evaluate on');
      return scoreLogits(await model.validationLogits(source), options.validation, labels, decision);
    },

    endStage(): Notice[] {
      source = 'tokens';
      trainEmbeddings = true;
      return [];
    },

    laterMsPerStep: () => undefined,
    summary: () => ({ kernel: { threads, rows: model.layout.shape.rows, trainableRows: model.trainableRowCount } }),
    exportState: () => {
      best = model.exportTrainedState(best);
      return Promise.resolve(best);
    },
    importState: (state) => model.importState(state),
    writeFolder: (dir, decision) => options.writeFolder(dir, model.exportState(), { decision }),
    checkpointModel(decision) {
      const state = (checkpointCopy = model.exportTrainedState(checkpointCopy));
      return Promise.resolve((dir: string) => options.writeFolder(dir, state, { decision, checkpoint: true }));
    },
    optimizerSnapshot(): Promise<OptimizerSnapshot> {
      optimizerCopy = model.exportOptimizer(optimizerCopy?.tensors);
      return Promise.resolve(optimizerCopy);
    },
    async restore(dir, snapshot) {
      model.importState(await options.readState(dir));
      model.importOptimizer(snapshot.tensors, snapshot.steps);
    },
    dispose: () => model.dispose(),
  };
}
