// Checkpoints in `checkpoints/`: a model folder per checkpoint and, written after it, a small JSON
// record; a checkpoint without its record is incomplete and ignored, so a crash never leaves a bad one.
// Most are written at epoch ends (`epoch-0003`); a stop writes one where it stopped, inside the epoch
// (`epoch-0003-step-000000412`: 3 epochs done, global step 412), and resume continues from that step.
import { readdir, readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { RunEpoch } from '../../common/protocol/runEvents';
import { writeFileAtomic } from '../io/atomicWrite';

export interface CheckpointRecord {
  /** Epochs completed; a resumed run continues the next one (from `step`, when it stopped inside it). */
  epoch: number;
  step: number;
  /** Written where a stop landed inside an epoch (not at its end). */
  withinEpoch?: boolean;
  elapsedSeconds: number;
  /** The epoch events so far, for the final summary of a resumed run. */
  epochs: RunEpoch[];
  /** The model folder, relative to checkpoints/. */
  model: string;
}

export interface Checkpoint extends CheckpointRecord {
  /** Absolute path of the model folder. */
  path: string;
}

const RECORD = /^epoch-(\d+)(?:-step-(\d+))?\.json$/;

/**
 * Whether an epoch's end writes a checkpoint: with `checkpoint_every: epoch`, after every epoch but the
 * schedule's last (the run's model comes next, which a checkpoint would only repeat).
 */
export function epochCheckpointDue(every: 'epoch' | 'never', epochsDone: number, totalEpochs: number): boolean {
  return every === 'epoch' && epochsDone < totalEpochs;
}

/** The folder name of the checkpoint after `epoch` epochs, or inside the next one at global step `step`. */
export function checkpointName(epoch: number, step?: number): string {
  const name = `epoch-${String(epoch).padStart(4, '0')}`;
  return step === undefined ? name : `${name}-step-${String(step).padStart(9, '0')}`;
}

/** Records a checkpoint whose model is already saved at `checkpoints/<record.model>`, and prunes old ones. */
export async function recordCheckpoint(checkpoints: string, record: CheckpointRecord, keep: number): Promise<Checkpoint> {
  await writeFileAtomic(path.join(checkpoints, `${record.model}.json`), JSON.stringify(record, null, 2));
  const all = await listRecords(checkpoints);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) {
    await rm(path.join(checkpoints, `${old}.json`), { force: true });
    await rm(path.join(checkpoints, old), { recursive: true, force: true });
  }
  return { ...record, path: path.join(checkpoints, record.model) };
}

async function listRecords(checkpoints: string): Promise<string[]> {
  const names = await readdir(checkpoints).catch(() => [] as string[]);
  return names
    .map((name) => RECORD.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    // epoch-0003 (its end) before epoch-0003-step-… (inside the epoch after it)
    .sort((a, b) => Number(a[1]) - Number(b[1]) || Number(a[2] ?? -1) - Number(b[2] ?? -1))
    .map((match) => match[0].slice(0, -'.json'.length));
}

/** The newest complete checkpoint, or undefined when there is none. */
export async function latestCheckpoint(checkpoints: string): Promise<Checkpoint | undefined> {
  for (const name of (await listRecords(checkpoints)).reverse()) {
    try {
      const record = JSON.parse(await readFile(path.join(checkpoints, `${name}.json`), 'utf8')) as CheckpointRecord;
      return { ...record, path: path.join(checkpoints, record.model) };
    } catch {
      // an unreadable record: try the one before
    }
  }
  return undefined;
}
