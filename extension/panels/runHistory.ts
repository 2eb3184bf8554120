// Past runs for the training panel's history: read from run folders (summary.json + metrics.jsonl).
// Pure Node, no vscode: the host finds the folders, this reads them.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseClassificationReport, type LossSeries, type RunHistoryEntry } from '../../common/protocol/panels';
import type { RunEvent, RunTask } from '../../common/protocol/runEvents';

/** Enough points to draw a curve; a long run's metrics are thinned evenly down to this. */
const MAX_POINTS = 2000;
const TASKS: readonly RunTask[] = ['text-classification', 'word2vec'];
const STATUSES = ['completed', 'stopped', 'failed'] as const;

/** The numbers at the top level of summary.json (and in its `metrics` object), for the history list. */
function numericFields(summary: Record<string, unknown>): Record<string, number> {
  const metrics: Record<string, number> = {};
  const nested = summary.metrics;
  for (const source of [summary, typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>) : {}]) {
    for (const [key, value] of Object.entries(source)) if (typeof value === 'number' && Number.isFinite(value)) metrics[key] = value;
  }
  return metrics;
}

/** Loss against step from metrics.jsonl (step and epoch events); lines that do not parse are skipped. */
export async function readLossSeries(metricsFile: string): Promise<LossSeries> {
  const points: { step: number; loss: number | null; validationLoss: number | null }[] = [];
  const lines = createInterface({ input: createReadStream(metricsFile, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    let event: Partial<RunEvent>;
    try {
      event = JSON.parse(line) as Partial<RunEvent>;
    } catch {
      continue;
    }
    if (event.kind === 'step' && typeof event.step === 'number' && typeof event.loss === 'number') points.push({ step: event.step, loss: event.loss, validationLoss: null });
    if (event.kind === 'epoch' && typeof event.step === 'number' && event.validation) points.push({ step: event.step, loss: null, validationLoss: event.validation.loss });
  }
  const stride = Math.max(1, Math.ceil(points.length / MAX_POINTS));
  const kept = points.filter((point, index) => index % stride === 0 || point.validationLoss !== null || index === points.length - 1);
  const series: LossSeries = { step: kept.map((p) => p.step), loss: kept.map((p) => p.loss) };
  if (kept.some((p) => p.validationLoss !== null)) series.validationLoss = kept.map((p) => p.validationLoss);
  return series;
}

/** One history entry from a run folder's summary.json; undefined when it is not a readable run. */
export async function readRunHistoryEntry(summaryFile: string): Promise<RunHistoryEntry | undefined> {
  const runDir = dirname(summaryFile);
  try {
    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as Record<string, unknown>;
    const task = TASKS.find((candidate) => candidate === summary.task);
    const status = STATUSES.find((candidate) => candidate === summary.status);
    const series = await readLossSeries(join(runDir, 'metrics.jsonl')).catch((): LossSeries => ({ step: [], loss: [] }));
    const classification = parseClassificationReport(summary);
    return {
      name: typeof summary.name === 'string' ? summary.name : basename(runDir),
      runDir,
      task,
      status,
      date: (await stat(summaryFile)).mtimeMs,
      finalMetrics: numericFields(summary),
      series,
      ...(classification && { classification }),
    };
  } catch {
    return undefined;
  }
}

/** Newest first. */
export async function readRunHistory(summaryFiles: readonly string[]): Promise<RunHistoryEntry[]> {
  const entries = await Promise.all(summaryFiles.map(readRunHistoryEntry));
  return entries.filter((entry): entry is RunHistoryEntry => entry !== undefined).sort((a, b) => b.date - a.date);
}
