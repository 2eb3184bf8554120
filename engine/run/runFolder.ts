// The run folder `<output.dir>/<name>/` and the files every task writes there: config.resolved.yaml,
// metrics.jsonl, checkpoints/, and — swapped in as one unit when a run completes (modelSwap.ts) — the
// model's files and summary.json. summary.json says what the folder holds (`model`); while a run is
// under way, or after one was killed, there is none, and no model either.
import { appendFile, lstat, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { RunEpoch, RunStep } from '../../common/protocol/runEvents';
import { writeFileAtomic } from '../io/atomicWrite';
import type { ResolvedConfig } from '../config/resolvedConfig';
import { latestCheckpoint } from './checkpoints';
import { removeModel, SUMMARY_FILE } from './modelSwap';
import { RunError } from './runError';

export interface RunFolder {
  dir: string;
  resolvedConfig: string;
  metrics: string;
  summary: string;
  checkpoints: string;
}

export function runFolderFor(config: ResolvedConfig): RunFolder {
  const dir = path.join(config.output.dir, config.name);
  return {
    dir,
    resolvedConfig: path.join(dir, 'config.resolved.yaml'),
    metrics: path.join(dir, 'metrics.jsonl'),
    summary: path.join(dir, SUMMARY_FILE),
    checkpoints: path.join(dir, 'checkpoints'),
  };
}

/**
 * Creates the run folder, refusing one that is a symbolic link (as output.dir or checkpoints/ is): a
 * run deletes and replaces files in it, which must not land in whatever the link points to.
 */
export async function createRunFolder(folder: RunFolder, outputDir: string): Promise<void> {
  for (const [where, key] of [
    [outputDir, 'output.dir'],
    [folder.dir, 'the run folder'],
    [folder.checkpoints, 'checkpoints/'],
  ] as const) {
    if ((await lstat(where).catch(() => undefined))?.isSymbolicLink()) {
      throw new RunError(`${where} (${key}) is a symbolic link; a run writes and deletes files in its folder, so it only writes to a real folder. Point output.dir at the folder itself.`, ['output', 'dir']);
    }
    await mkdir(where, { recursive: true });
  }
}

/** What summary.json says about the folder's model. */
export type ModelHeld = 'this run' | 'none';

/**
 * A run's start: the folder's model and summary go (one unit), so a run that fails or stops never
 * leaves a model that is not its own. A fresh run also forgets the previous metrics and checkpoints.
 */
export async function clearPreviousRun(folder: RunFolder, fresh: boolean): Promise<void> {
  if (fresh) {
    // Before the summary goes: checkpoints beside no summary are an unfinished run's, to resume.
    await rm(folder.metrics, { force: true });
    // emptied, not replaced: the folder stays the one a watcher (the extension, a test) looks at
    for (const name of await readdir(folder.checkpoints)) await rm(path.join(folder.checkpoints, name), { recursive: true, force: true });
  }
  await removeModel(folder.dir);
}

/** A run refused because its folder holds an unfinished run's checkpoints (`failed` event reason `unfinished-run`). */
export class UnfinishedRunError extends RunError {}

/** The config as a user would type it: relative to the working folder when it is inside it. */
function shown(configPath: string): string {
  const relative = path.relative(process.cwd(), configPath);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? configPath : relative;
}

/**
 * A run started without resume would delete the checkpoints of a run that did not complete (stopped,
 * failed or killed): that needs saying so, with `fresh`.
 */
export async function refuseToDiscardCheckpoints(folder: RunFolder, configPath: string): Promise<void> {
  const checkpoint = await latestCheckpoint(folder.checkpoints);
  if (!checkpoint) return;
  const summary = JSON.parse(await readFile(folder.summary, 'utf8').catch(() => '{}')) as { status?: unknown };
  if (summary.status === 'completed') return;
  throw new UnfinishedRunError(
    `${folder.dir} holds the checkpoint of a run that did not complete (after epoch ${checkpoint.epoch}); starting over would delete it. ` +
      `Continue it with: nlp-studio train ${shown(configPath)} --resume, or discard it and start afresh with --fresh.`,
  );
}


export type MetricsRecord = RunStep | RunEpoch;

/** Keeps the metrics up to a checkpoint, so a resumed run's curves continue without the lost part. */
export async function truncateMetrics(folder: RunFolder, upTo: { epoch: number; step: number }): Promise<void> {
  const text = await readFile(folder.metrics, 'utf8').catch(() => '');
  const kept = text.split('\n').filter((line) => {
    if (line.trim() === '') return false;
    try {
      const record = JSON.parse(line) as MetricsRecord;
      return record.kind === 'epoch' ? record.epoch <= upTo.epoch : record.step <= upTo.step;
    } catch {
      return false; // a line cut short by a crash
    }
  });
  await writeFileAtomic(folder.metrics, kept.map((line) => `${line}\n`).join(''));
}

/** metrics.jsonl, appended in order; `flush()` waits for what was logged so far. */
export class MetricsLog {
  private pending: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(private readonly file: string) {}

  append(record: MetricsRecord): void {
    const line = `${JSON.stringify(record)}\n`;
    this.pending = this.pending.then(() => appendFile(this.file, line)).catch((error: unknown) => {
      this.failure ??= error instanceof Error ? error : new Error(String(error));
    });
  }

  async flush(): Promise<void> {
    await this.pending;
    if (this.failure) throw this.failure;
  }
}
