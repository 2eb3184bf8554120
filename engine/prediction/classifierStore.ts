// Text classifiers kept loaded for the editor: the few used last stay in memory (a model is loaded in
// seconds but predicts in milliseconds), and one whose weights changed on disk is loaded again.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { ClassifierEvaluateParams, ClassifierEvaluation, ClassifierPredictParams, ClassifierPredictResult } from '../../common/protocol/engine';
import { loadTextClassifier, type TextClassifier } from '../models/textClassifier';
import { evaluateTextClassifier } from './evaluateClassifier';
import { predictionsOf } from './predictions';

/** The files whose change means the folder holds another model. */
const STAMPED_FILES = ['config.json', 'model.safetensors'];

interface Entry {
  readonly stamp: string;
  readonly classifier: Promise<TextClassifier>;
  /** Requests using the classifier now: an evicted entry is disposed when the last one ends. */
  users: number;
  evicted: boolean;
}

export interface ClassifierStoreOptions {
  /** Classifiers kept loaded at once; the least recently used is disposed first. */
  readonly capacity?: number;
  readonly load?: (folder: string) => Promise<TextClassifier>;
}

export class ClassifierStore {
  /** By absolute folder, least recently used first (Map keeps insertion order). */
  private readonly entries = new Map<string, Entry>();
  private readonly capacity: number;
  private readonly load: (folder: string) => Promise<TextClassifier>;

  constructor(options: ClassifierStoreOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 3);
    this.load = options.load ?? loadTextClassifier;
  }

  /**
   * Runs `use` with the classifier in `folder`, loaded once (concurrent callers share one load) and
   * not disposed before `use` ends, even when a newer model or other folders push it out meanwhile.
   */
  async with<T>(folder: string, use: (classifier: TextClassifier) => Promise<T>): Promise<T> {
    const entry = await this.acquire(path.resolve(folder));
    try {
      return await use(await entry.classifier);
    } finally {
      entry.users--;
      if (entry.evicted) release(entry);
    }
  }

  /** The entry of `key`, counted as used (synchronously after the stamp is read, so no eviction slips between). */
  private async acquire(key: string): Promise<Entry> {
    const stamp = await stampOf(key);
    const cached = this.entries.get(key);
    if (cached !== undefined && cached.stamp === stamp) {
      this.entries.delete(key);
      this.entries.set(key, cached); // now the most recently used
      cached.users++;
      return cached;
    }
    if (cached !== undefined) this.evict(key, cached);
    const entry: Entry = {
      stamp,
      classifier: this.load(key),
      users: 1,
      evicted: false,
    };
    this.entries.set(key, entry);
    // A failed load is not kept: the next request tries again (the user may be fixing the folder).
    entry.classifier.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    for (const [oldest, evicted] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      this.evict(oldest, evicted);
    }
    return entry;
  }

  private evict(key: string, entry: Entry): void {
    this.entries.delete(key);
    entry.evicted = true;
    release(entry);
  }

  predict(params: ClassifierPredictParams): Promise<ClassifierPredictResult> {
    return this.with(params.modelPath, async (classifier) => ({
      labels: [...classifier.labels],
      modelType: classifier.modelType,
      ...(classifier.decision.multiLabel ? { multiLabel: { threshold: classifier.decision.threshold } } : {}),
      predictions: predictionsOf(classifier.labels, await classifier.predict(params.texts), classifier.decision),
    }));
  }

  evaluate(params: ClassifierEvaluateParams): Promise<ClassifierEvaluation> {
    return this.with(params.modelPath, (classifier) => evaluateTextClassifier(classifier, params));
  }

  /** How many classifiers are loaded (or loading). */
  get size(): number {
    return this.entries.size;
  }

  dispose(): void {
    for (const [key, entry] of [...this.entries]) this.evict(key, entry);
  }
}

/** Modification time and size of the files that make the model; a missing file counts as absent. */
async function stampOf(folder: string): Promise<string> {
  const parts = await Promise.all(
    STAMPED_FILES.map(async (name) => {
      const info = await stat(path.join(folder, name)).catch(() => undefined);
      return info === undefined ? '-' : `${info.mtimeMs}:${info.size}`;
    }),
  );
  return parts.join('|');
}

/** Frees an evicted classifier once its load is done and no request uses it. */
function release(entry: Entry): void {
  if (entry.users > 0) return;
  entry.classifier.then(
    (classifier) => classifier.dispose(),
    () => undefined,
  );
}
