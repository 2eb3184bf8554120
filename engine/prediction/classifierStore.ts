// Text classifiers kept loaded for the editor (modelCache.ts): the few used last stay in memory, and
// one whose weights or ONNX export changed on disk is loaded again.
import * as path from 'node:path';
import type { ClassifierEvaluateParams, ClassifierEvaluation, ClassifierPredictParams, ClassifierPredictResult } from '../../common/protocol/engine';
import { loadTextClassifier, type TextClassifier } from '../models/textClassifier';
import { evaluateTextClassifier } from './evaluateClassifier';
import { fileStamp, ModelCache } from './modelCache';
import { predictionsOf } from './predictions';

/** The files whose change means the folder holds another model. */
const STAMPED_FILES = ['config.json', 'model.safetensors', 'onnx/model.onnx'];

export interface ClassifierStoreOptions {
  /** Classifiers kept loaded at once; the least recently used is disposed first. */
  readonly capacity?: number;
  readonly load?: (folder: string) => Promise<TextClassifier>;
}

export class ClassifierStore {
  private readonly cache: ModelCache<TextClassifier>;

  constructor(options: ClassifierStoreOptions = {}) {
    this.cache = new ModelCache({ capacity: options.capacity ?? 3, load: options.load ?? loadTextClassifier, stamp: (folder) => fileStamp(folder, STAMPED_FILES) });
  }

  /** Runs `use` with the classifier in `folder`, loaded once and kept while `use` runs. */
  with<T>(folder: string, use: (classifier: TextClassifier) => Promise<T>): Promise<T> {
    return this.cache.with(path.resolve(folder), use);
  }

  predict(params: ClassifierPredictParams): Promise<ClassifierPredictResult> {
    return this.with(params.modelPath, async (classifier) => ({
      labels: [...classifier.labels],
      modelType: classifier.modelType,
      runtime: classifier.runtime,
      ...(classifier.decision.multiLabel ? { multiLabel: { threshold: classifier.decision.threshold } } : {}),
      predictions: predictionsOf(classifier.labels, await classifier.predict(params.texts), classifier.decision),
    }));
  }

  evaluate(params: ClassifierEvaluateParams): Promise<ClassifierEvaluation> {
    return this.with(params.modelPath, (classifier) => evaluateTextClassifier(classifier, params));
  }

  /** How many classifiers are loaded (or loading). */
  get size(): number {
    return this.cache.size;
  }

  dispose(): void {
    this.cache.dispose();
  }
}
