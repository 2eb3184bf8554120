/**
 * Early stopping on a validation metric (`training.early_stopping`: metric, patience, min_delta).
 * `loss` is minimised, `accuracy` and `macro_f1` maximised. A value improves when it beats the best
 * so far by more than `min_delta` (Keras' `EarlyStopping`, HF's `EarlyStoppingCallback` threshold);
 * only an improvement becomes the new best, so the best checkpoint and the patience count agree.
 * After `patience` evaluations in a row without improvement, stop. A NaN never improves. Pure.
 */

export type EarlyStoppingMetric = 'accuracy' | 'macro_f1' | 'micro_f1' | 'loss';

export interface EarlyStoppingOptions {
  /** Default `macro_f1` (the schema default). */
  readonly metric?: EarlyStoppingMetric;
  /** Default 2. */
  readonly patience?: number;
  /** Default 0. */
  readonly min_delta?: number;
}

/** Plain, JSON-safe state, so a resumed run continues counting. */
export interface EarlyStoppingState {
  readonly best: number | null;
  /** The label of the best evaluation, e.g. its global epoch. */
  readonly bestAt: number | null;
  /** Evaluations since the last improvement. */
  readonly waited: number;
}

export interface EarlyStoppingDecision {
  readonly improved: boolean;
  readonly shouldStop: boolean;
  readonly best: number;
  readonly bestAt: number;
  readonly waited: number;
}

export class EarlyStopping {
  readonly metric: EarlyStoppingMetric;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  private state: EarlyStoppingState = { best: null, bestAt: null, waited: 0 };

  constructor(options: EarlyStoppingOptions = {}) {
    this.metric = options.metric ?? 'macro_f1';
    this.mode = this.metric === 'loss' ? 'min' : 'max';
    this.patience = options.patience ?? 2;
    this.minDelta = options.min_delta ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 1) throw new Error(`early_stopping.patience must be a whole number ≥ 1; got ${this.patience}`);
    if (!(this.minDelta >= 0)) throw new Error(`early_stopping.min_delta must be ≥ 0; got ${this.minDelta}`);
  }

  /** Records the metric of the evaluation labelled `at` (e.g. the epoch) and says whether to stop. */
  update(value: number, at: number): EarlyStoppingDecision {
    const { best, bestAt } = this.state;
    const improved =
      !Number.isNaN(value) && (best === null || (this.mode === 'max' ? value - this.minDelta > best : value + this.minDelta < best));
    this.state = improved ? { best: value, bestAt: at, waited: 0 } : { best, bestAt, waited: this.state.waited + 1 };
    return {
      improved,
      shouldStop: this.state.waited >= this.patience,
      best: this.state.best ?? Number.NaN,
      bestAt: this.state.bestAt ?? Number.NaN,
      waited: this.state.waited,
    };
  }

  /** Forgets the evaluations since the best (a new stage starts its patience afresh); the best stays. */
  restartPatience(): void {
    this.state = { ...this.state, waited: 0 };
  }

  get best(): number | null {
    return this.state.best;
  }

  get bestAt(): number | null {
    return this.state.bestAt;
  }

  exportState(): EarlyStoppingState {
    return { ...this.state };
  }

  importState(state: EarlyStoppingState): void {
    this.state = { ...state };
  }
}
