// How `nlp-studio train` shows a run to a person: a progress line, epoch lines, the final summary.
import * as path from 'node:path';
import type { Neighbour, RunCaching, RunDownload, RunEpoch, RunEvent, RunFinished, RunStarted, RunStep } from '../../common/protocol/runEvents';
import { formatBytes } from '../../common/formatBytes';
import { formatDuration, formatEta } from '../../common/formatDuration';

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const percentOf = (progress: number): string => `${(progress * 100).toFixed(0).padStart(3)}%`;

export function formatStep(step: RunStep, epochs: number): string {
  return `epoch ${step.epoch}/${epochs} ${percentOf(step.progress)}  loss ${step.loss.toFixed(4)}  ${number.format(step.throughput)} ${step.throughputUnit}  ETA ${formatEta(step.etaSeconds)}`;
}

export function formatCaching(caching: RunCaching): string {
  return `stage ${caching.stage}: caching features ${number.format(caching.done)}/${number.format(caching.total)} ${percentOf(caching.progress)}  ETA ${formatEta(caching.etaSeconds)}`;
}

export function formatDownload(download: RunDownload): string {
  const rate = `${formatBytes(download.bytesPerSecond)}/s`;
  if (download.done) return `Downloaded ${download.repoId} into the Hugging Face cache: ${formatBytes(download.totalBytes)} at ${rate}`;
  const size = `${formatBytes(download.receivedBytes)} / ${formatBytes(download.totalBytes)}`;
  return `Downloading ${download.repoId}: ${download.file}  ${size}  ${rate}  ETA ${formatEta(download.etaSeconds)}`;
}

const neighbourList = (neighbours: Neighbour[]): string => neighbours.map((n) => `${n.word} ${n.similarity.toFixed(2)}`).join(', ');

function neighbourLines(neighbours: Record<string, Neighbour[]> | undefined, indent: string): string[] {
  const entries = Object.entries(neighbours ?? {});
  const width = Math.max(0, ...entries.map(([word]) => word.length));
  return entries.map(([word, list]) => `${indent}${word.padEnd(width)}  ${neighbourList(list)}`);
}

export function formatEpoch(epoch: RunEpoch, epochs: number): string {
  const validation = epoch.validation
    ? `; validation loss ${epoch.validation.loss.toFixed(4)}, accuracy ${epoch.validation.accuracy.toFixed(4)}, macro-F1 ${epoch.validation.macroF1.toFixed(4)}`
    : '';
  return [`epoch ${epoch.epoch}/${epochs} done: loss ${epoch.trainLoss.toFixed(4)}${validation}`, ...neighbourLines(epoch.neighbours, '  ')].join('\n');
}

export function formatStarted(started: RunStarted, cwd: string): string {
  const size = started.totalWords !== undefined ? `${started.epochs} epochs, ${number.format(started.totalWords)} words in all` : `${started.epochs} epochs, ${number.format(started.totalSteps)} steps`;
  const resumed = started.resumedFrom ? ` (resuming after epoch ${started.resumedFrom.epoch})` : '';
  const backend = started.backend ? `\nruns on ${started.backend.device ?? started.backend.name} (${started.backend.reason})` : '';
  return `Training ${started.name} (${started.task}): ${size}${resumed} → ${relative(cwd, started.runDir)}${backend}`;
}

const relative = (cwd: string, file: string): string => {
  const shown = path.relative(cwd, file);
  return shown === '' ? '.' : shown.startsWith('..') && path.isAbsolute(file) ? file : shown;
};

/** The end of a run, for a person: what was trained, how fast, how well, and where the files are. */
export function formatFinished(finished: RunFinished, cwd: string): string {
  const summary = finished.summary;
  const num = (key: string): number | undefined => {
    const value = summary[key];
    return typeof value === 'number' ? value : undefined;
  };
  const facts: string[] = [];
  const epochs = num('epochsCompleted');
  if (epochs !== undefined) facts.push(`${epochs} epoch${epochs === 1 ? '' : 's'}`);
  const vocabulary = num('vocabularySize');
  if (vocabulary !== undefined) facts.push(`vocabulary ${number.format(vocabulary)} words`);
  const speed = num('wordsPerSecond');
  if (speed !== undefined && speed > 0) facts.push(`${number.format(speed)} words/s`);
  const loss = num('trainLoss');
  if (loss !== undefined) facts.push(`final loss ${loss.toFixed(4)}`);
  const verb = finished.status === 'completed' ? 'Finished' : 'Stopped';
  const lines = [`${verb} in ${formatDuration(finished.elapsedSeconds, '?')}: ${facts.join(', ')}.`];
  const neighbours = summary.neighbours as Record<string, Neighbour[]> | undefined;
  if (neighbours && Object.keys(neighbours).length > 0) lines.push('Nearest neighbours:', ...neighbourLines(neighbours, '  '));
  const files = summary.files as Record<string, string> | undefined;
  lines.push(`Run folder: ${relative(cwd, finished.runDir)}`);
  if (files) lines.push(...Object.values(files).map((file) => `  ${relative(cwd, file)}`));
  return lines.join('\n');
}

/** Writes a run's events to stderr for a person: one progress line rewritten in place on a terminal. */
export class ProgressPrinter {
  private epochs = 0;
  private lineOpen = false;
  private lastPlainLine = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly write: (text: string) => void,
    private readonly isTTY: boolean,
    private readonly cwd: string,
  ) {}

  print(event: RunEvent): void {
    switch (event.kind) {
      case 'started':
        this.epochs = event.epochs;
        return this.line(formatStarted(event, this.cwd));
      case 'step':
        return this.progress(formatStep(event, this.epochs), event.elapsedSeconds);
      case 'caching':
        return this.progress(formatCaching(event), event.elapsedSeconds);
      case 'download':
        if (!event.done) return this.progress(formatDownload(event), performance.now() / 1000);
        this.lastPlainLine = Number.NEGATIVE_INFINITY; // the steps that follow count from the run's start
        return this.line(formatDownload(event));
      case 'epoch':
        return this.line(formatEpoch(event, this.epochs));
      case 'log':
        return this.line(`${event.level}: ${event.message}`);
      case 'stage':
        return this.line(`stage ${event.name}: ${event.frozen}`);
      case 'checkpoint':
      case 'finished':
      case 'failed':
        return; // the command reports these with what they mean for the user
    }
  }

  /** A whole line (or lines), first clearing a progress line in place. */
  line(text: string): void {
    if (this.lineOpen) this.write('\r\x1b[K');
    this.lineOpen = false;
    this.write(`${text}\n`);
  }

  /** A progress line, rewritten in place on a terminal; in logs and pipes at most one a second. */
  private progress(text: string, seconds: number): void {
    if (this.isTTY) {
      this.write(`\r\x1b[K${text}`);
      this.lineOpen = true;
    } else if (seconds - this.lastPlainLine >= 1) {
      this.lastPlainLine = seconds;
      this.write(`${text}\n`);
    }
  }
}
