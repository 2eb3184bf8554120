// The run folder `<output.dir>/<name>/` and the files every task writes there.
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { RunEpoch, RunStep } from '../../common/protocol/runEvents';
import { writeFileAtomic } from '../io/atomicWrite';
import type { ResolvedConfig } from '../config/resolvedConfig';

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
    summary: path.join(dir, 'summary.json'),
    checkpoints: path.join(dir, 'checkpoints'),
  };
}

/** A fresh run forgets the folder's previous metrics, summary and checkpoints; model files stay until replaced. */
export async function clearPreviousRun(folder: RunFolder): Promise<void> {
  await Promise.all([rm(folder.metrics, { force: true }), rm(folder.summary, { force: true }), rm(folder.checkpoints, { recursive: true, force: true })]);
  await mkdir(folder.checkpoints, { recursive: true });
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
