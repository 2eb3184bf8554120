// How far a staged run has got and how long it has left, from the durations its trainer measures.
// Only training steps make a stage's rate: validation and checkpoints are measured apart, as a cost
// each epoch repeats, so the line after a validation pass neither slows the throughput nor inflates
// the ETA. A stage's first step is left out of its rate (kernels warm up on a new kind of work).
// Until a rate is known for every stage still to run the ETA is absent, not guessed (a head on cached
// features says nothing of what training everything costs). Pure: durations in, numbers out.

export interface MeteredStage {
  /** Training steps in the stage. */
  readonly steps: number;
  /**
   * Stages of one kind cost alike per step (the trainer's: what they freeze); a stage neither timed
   * nor assumed yet is estimated from the timed ones of its kind, never from another kind's.
   */
  readonly kind?: string;
}

/** Where the run is when asked for an ETA. */
export interface MeterPosition {
  readonly stage: number;
  /** Steps of the current stage still to run. */
  readonly stepsLeftInStage: number;
  /** Epochs whose validation and checkpoint are still to come (the current one included). */
  readonly epochsLeft: number;
}

interface Measured {
  ms: number;
  count: number;
  seen: number;
}

export class ProgressMeter {
  private readonly measured: Measured[];
  private readonly assumedMs: (number | undefined)[];
  private overhead = { ms: 0, epochs: 0 };
  private caching: { done: number; total: number; ms: number } | undefined;
  private sinceReport = { ms: 0, samples: 0 };
  private shown = 0;

  constructor(private readonly stages: readonly MeteredStage[]) {
    this.measured = stages.map(() => ({ ms: 0, count: 0, seen: 0 }));
    this.assumedMs = stages.map(() => undefined);
  }

  /** A cost per step to assume for `stage` until its own steps are measured (e.g. from a timed probe). */
  assume(stage: number, msPerStep: number): void {
    if (Number.isFinite(msPerStep) && msPerStep > 0) this.assumedMs[stage] = msPerStep;
  }

  /** `steps` training steps of `stage` (one unless a kernel reports several at once) took `ms` for `samples` examples. */
  step(stage: number, ms: number, samples: number, steps = 1): void {
    if (steps <= 0) return;
    this.sinceReport.ms += ms;
    this.sinceReport.samples += samples;
    const measured = this.measured[stage]!;
    measured.seen += steps;
    if (measured.seen === 1 && this.stages[stage]!.steps > 1) return; // warm-up
    measured.ms += ms;
    measured.count += steps;
  }

  /** Work between steps that every epoch repeats: its validation pass and checkpoint. */
  epochOverhead(ms: number): void {
    this.overhead.ms += ms;
    this.overhead.epochs++;
  }

  /** A frozen stage's features are being computed: `done` of `total` examples in `ms` so far; undefined once they are. */
  cachingAt(progress: { done: number; total: number; ms: number } | undefined): void {
    this.caching = progress;
  }

  /** Examples per second of training steps since the last call (0 when none ran). */
  takeThroughput(): number {
    const { ms, samples } = this.sinceReport;
    this.sinceReport = { ms: 0, samples: 0 };
    return ms > 0 ? (samples * 1000) / ms : 0;
  }

  /** Seconds left from `at`; undefined until a rate is known for the current stage and every later one. */
  etaSeconds(at: MeterPosition): number | undefined {
    const current = this.rate(at.stage);
    if (current === undefined) return undefined;
    let ms = at.stepsLeftInStage * current;
    for (let stage = at.stage + 1; stage < this.stages.length; stage++) {
      const rate = this.rate(stage);
      if (rate === undefined) return undefined;
      ms += this.stages[stage]!.steps * rate;
    }
    if (this.overhead.epochs > 0) ms += at.epochsLeft * (this.overhead.ms / this.overhead.epochs);
    if (this.caching && this.caching.done > 0) ms += ((this.caching.total - this.caching.done) * this.caching.ms) / this.caching.done;
    return ms / 1000;
  }

  /**
   * 0..1 for a progress bar: the share of the run's time spent, elapsed / (elapsed + ETA), so steps of
   * unequal cost move it evenly; `stepShare` until an ETA exists. Never decreases.
   */
  progress(elapsedSeconds: number, etaSeconds: number | undefined, stepShare: number): number {
    const share = etaSeconds === undefined ? stepShare : elapsedSeconds + etaSeconds > 0 ? elapsedSeconds / (elapsedSeconds + etaSeconds) : 1;
    this.shown = Math.min(1, Math.max(this.shown, share));
    return this.shown;
  }

  /** ms per step of `stage`: its own timed steps, else what was assumed for it, else the timed steps of stages of its kind. */
  private rate(stage: number): number | undefined {
    const own = this.timed(stage) ?? this.assumedMs[stage];
    if (own !== undefined) return own;
    const { kind } = this.stages[stage]!;
    let ms = 0;
    let count = 0;
    this.stages.forEach((other, index) => {
      if (other.kind !== kind) return;
      ms += this.measured[index]!.ms;
      count += this.measured[index]!.count;
    });
    return count > 0 ? ms / count : undefined;
  }

  private timed(stage: number): number | undefined {
    const measured = this.measured[stage]!;
    return measured.count > 0 ? measured.ms / measured.count : undefined;
  }
}
