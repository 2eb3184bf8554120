// How a run ends early, the same for every trainer. Stop (the stop signal) lets the running step
// finish and saves a checkpoint right there, inside the epoch: the model, the optimiser, where the
// epoch stood (its order is a function of the seed and the epoch, so its position is enough), the
// random state, the early-stopping state and the epoch's running loss sums; resume continues from
// that step, and with one thread and a seed ends where the uninterrupted run ends, bit for bit. Abort
// (a second Ctrl+C) ends at once and saves nothing. Each trainer says what its checkpoint holds.
import type { RunEpoch } from '../../common/protocol/runEvents';
import type { TrainerContext, TrainerResult } from './trainerContext';

export type HaltReason = 'stop' | 'abort';

/** The run's stop and abort signals as one signal a training loop polls, and which of them came first. */
export class RunHalt {
  private readonly controller = new AbortController();
  private why: HaltReason | undefined;
  private readonly onStop = (): void => this.halt('stop');
  private readonly onAbort = (): void => this.halt('abort');

  constructor(private readonly context: Pick<TrainerContext, 'stopSignal' | 'abortSignal'>) {
    context.stopSignal.addEventListener('abort', this.onStop);
    context.abortSignal.addEventListener('abort', this.onAbort);
    if (context.stopSignal.aborted) this.onStop();
    if (context.abortSignal.aborted) this.onAbort();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the run halted; an abort after a stop wins (the user no longer wants the checkpoint). */
  get reason(): HaltReason | undefined {
    return this.why;
  }

  private halt(reason: HaltReason): void {
    if (this.why !== 'abort') this.why = reason;
    this.controller.abort();
  }

  dispose(): void {
    this.context.stopSignal.removeEventListener('abort', this.onStop);
    this.context.abortSignal.removeEventListener('abort', this.onAbort);
  }
}

/** Where a run halted: `epoch` epochs done, global `step`, and how far into the next epoch, in words. */
export interface HaltPoint {
  readonly epoch: number;
  readonly step: number;
  /** Steps (or words) of the next epoch already trained; 0 at an epoch boundary. */
  readonly intoEpoch: number;
  /** "epoch 2 of 3, 17 of 40 steps into it", for the user. */
  readonly where: string;
  /** The epoch events so far, kept in the checkpoint's record for a resumed run's summary. */
  readonly epochs: RunEpoch[];
}

/**
 * Ends a stopped run: saves the checkpoint of `point` with `write(dir)` (the model and the trainer's
 * resume state), unless the newest checkpoint is already at that step, and says what resume does.
 */
export async function stoppedRun(context: TrainerContext, point: HaltPoint, write: (dir: string) => Promise<void>, summary: Record<string, unknown>): Promise<TrainerResult> {
  const latest = await context.latestCheckpoint();
  if (latest?.step === point.step) {
    context.emit({ kind: 'checkpoint', path: latest.path, epoch: latest.epoch, step: latest.step });
  } else {
    const withinEpoch = point.intoEpoch > 0;
    await write(context.checkpointPath(point.epoch, withinEpoch ? point.step : undefined));
    await context.recordCheckpoint({ epoch: point.epoch, step: point.step, epochs: point.epochs, ...(withinEpoch && { withinEpoch }) });
  }
  context.emit({ kind: 'log', level: 'info', message: `Stopped at step ${point.step} (${point.where}); the checkpoint is saved, and resume continues from this step.` });
  return { status: 'stopped', summary: { ...summary, resumable: true } };
}

/** Ends an aborted run: nothing is saved; resume goes back to the newest checkpoint, if there is one. */
export async function abortedRun(context: TrainerContext, point: HaltPoint, summary: Record<string, unknown>): Promise<TrainerResult> {
  const latest = await context.latestCheckpoint();
  const resume = latest ? `resume continues from the last checkpoint, at step ${latest.step}` : 'there is no checkpoint to resume from';
  context.emit({ kind: 'log', level: 'warning', message: `Aborted at step ${point.step} (${point.where}) without saving a checkpoint; ${resume}.` });
  return { status: 'stopped', summary: { ...summary, aborted: true } };
}
