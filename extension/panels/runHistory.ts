// Past runs for the training panel's history: read from run folders (summary.json, metrics.jsonl,
// config.resolved.yaml). Pure Node, no vscode: the host finds the folders, this reads them.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'yaml';
import { parseClassificationReport, type ConfigRows, type EpochRecord, type LossSeries, type RunHistoryEntry } from '../../common/protocol/panels';
import type { RunEpoch, RunEvent, RunStep, RunTask, ValidationMetricName } from '../../common/protocol/runEvents';

/** Enough points to draw a curve; a long run's metrics are thinned evenly down to this. */
const MAX_POINTS = 2000;
const TASKS: readonly RunTask[] = ['text-classification', 'word2vec'];
const STATUSES = ['completed', 'stopped', 'failed'] as const;
const METRICS: readonly ValidationMetricName[] = ['macro_f1', 'micro_f1', 'accuracy', 'loss'];
const RESOLVED_CONFIG = 'config.resolved.yaml';

export interface RunMetrics {
  series: LossSeries;
  epochs: EpochRecord[];
}

interface Point {
  step: number;
  /** The epoch (1-based) the point belongs to; a validation point ends it. */
  epoch: number;
  loss: number | null;
  validationLoss: number | null;
}

/**
 * Where `step` lies in epochs, from where each epoch ended: 1.5 is half-way through epoch 2. An
 * unfinished epoch is taken to be as long as the one before it.
 */
function epochPosition(step: number, epoch: number, ends: ReadonlyMap<number, number>): number {
  const start = ends.get(epoch - 1) ?? 0;
  const end = ends.get(epoch) ?? start + (start - (ends.get(epoch - 2) ?? 0));
  return end > start ? epoch - 1 + Math.min(1, Math.max(0, (step - start) / (end - start))) : epoch;
}

const isStep = (event: Partial<RunEvent>): event is RunStep => event.kind === 'step' && typeof event.step === 'number' && typeof event.loss === 'number';
const isEpoch = (event: Partial<RunEvent>): event is RunEpoch => event.kind === 'epoch' && typeof event.step === 'number' && typeof event.epoch === 'number';

/** Loss against step (and epoch) and every epoch's record, from metrics.jsonl; lines that do not parse are skipped. */
export async function readRunMetrics(metricsFile: string): Promise<RunMetrics> {
  const points: Point[] = [];
  const epochs: EpochRecord[] = [];
  const lines = createInterface({ input: createReadStream(metricsFile, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    let event: Partial<RunEvent>;
    try {
      event = JSON.parse(line) as Partial<RunEvent>;
    } catch {
      continue;
    }
    if (isStep(event)) points.push({ step: event.step, epoch: event.epoch, loss: event.loss, validationLoss: null });
    if (isEpoch(event)) {
      epochs.push({ epoch: event.epoch, step: event.step, trainLoss: event.trainLoss, ...(event.validation && { validation: event.validation }) });
      if (event.validation) points.push({ step: event.step, epoch: event.epoch, loss: null, validationLoss: event.validation.loss });
    }
  }
  const ends = new Map(epochs.map((record) => [record.epoch, record.step]));
  const stride = Math.max(1, Math.ceil(points.length / MAX_POINTS));
  const kept = points.filter((point, index) => index % stride === 0 || point.validationLoss !== null || index === points.length - 1);
  const series: LossSeries = {
    step: kept.map((p) => p.step),
    epoch: kept.map((p) => epochPosition(p.step, p.epoch, ends)),
    loss: kept.map((p) => p.loss),
  };
  if (kept.some((p) => p.validationLoss !== null)) series.validationLoss = kept.map((p) => p.validationLoss);
  return { series, epochs };
}

/** A config as dotted rows: stages by name (`training.stages[head].epochs`), lists of plain values joined. */
export function configRows(config: unknown, prefix = ''): ConfigRows {
  const rows: ConfigRows = {};
  const add = (key: string, value: unknown): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null)) rows[key] = value.join(', ');
    else if (Array.isArray(value)) value.forEach((item, index) => Object.assign(rows, configRows(item, `${key}[${nameOf(item) ?? index}]`)));
    else if (typeof value === 'object') Object.assign(rows, configRows(value, key));
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') rows[key] = String(value);
  };
  if (typeof config === 'object' && config !== null) for (const [key, value] of Object.entries(config)) add(prefix ? `${prefix}.${key}` : key, value);
  return rows;
}

function nameOf(item: unknown): string | undefined {
  const name = typeof item === 'object' && item !== null ? (item as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

async function readConfigRows(runDir: string): Promise<ConfigRows | undefined> {
  try {
    return configRows(parse(await readFile(join(runDir, RESOLVED_CONFIG), 'utf8')));
  } catch {
    return undefined;
  }
}

const numberIn = (summary: Record<string, unknown>, key: string): number | undefined => {
  const value = summary[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
};

/** One history entry from a run folder's summary.json; undefined when it is not a readable run. */
export async function readRunHistoryEntry(summaryFile: string): Promise<RunHistoryEntry | undefined> {
  const runDir = dirname(summaryFile);
  try {
    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as Record<string, unknown>;
    const metrics = await readRunMetrics(join(runDir, 'metrics.jsonl')).catch((): RunMetrics => ({ series: { step: [], epoch: [], loss: [] }, epochs: [] }));
    const config = await readConfigRows(runDir);
    const classification = parseClassificationReport(summary);
    const facts = {
      task: TASKS.find((candidate) => candidate === summary.task),
      status: STATUSES.find((candidate) => candidate === summary.status),
      metric: METRICS.find((candidate) => candidate === summary.metric),
      epochs: numberIn(summary, 'epochs'),
      epochsCompleted: numberIn(summary, 'epochsCompleted'),
      stoppedEarly: typeof summary.stoppedEarly === 'boolean' ? summary.stoppedEarly : undefined,
      elapsedSeconds: numberIn(summary, 'elapsedSeconds'),
    };
    return {
      name: typeof summary.name === 'string' ? summary.name : basename(runDir),
      runDir,
      date: (await stat(summaryFile)).mtimeMs,
      ...(Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined)) as Partial<typeof facts>),
      epochRecords: metrics.epochs,
      series: metrics.series,
      ...(config && { config }),
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
