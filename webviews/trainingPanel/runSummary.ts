// A finished run's summary.json, written for people: labelled facts with units and separators, in a
// fixed order, and the files the run wrote with short paths (the full one on hover) and Reveal.
// Status and elapsed time are in the header, so they are not repeated here.
import { formatDuration } from '../../common/formatDuration';
import { h } from '../shared/dom';
import { formatLoss, formatNumber, formatScore, plural, shortenPath } from '../shared/format';
import { METRICS, type JudgedBy } from './judgedMetric';

type Summary = Record<string, unknown>;

const num = (summary: Summary, key: string): number | undefined => {
  const value = summary[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
};
const object = (value: unknown): Summary | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Summary) : undefined);
const seconds = (value: number): string => (value >= 1 ? `${value.toFixed(1)} s` : `${Math.round(value * 1000)} ms`);

/** A fact: its label and how to read it from the summary (undefined: the run has no such fact). */
interface Fact {
  label: string;
  value: (summary: Summary) => string | undefined;
}

const FACTS: Fact[] = [
  {
    label: 'Epochs',
    value: (s) => {
      const done = num(s, 'epochsCompleted');
      const planned = num(s, 'epochs');
      if (done === undefined) return planned === undefined ? undefined : String(planned);
      return `${done}${planned !== undefined && planned !== done ? ` of ${planned}` : ''}${s['stoppedEarly'] === true ? ' (stopped early)' : ''}`;
    },
  },
  {
    label: 'Model written',
    value: (s) => {
      const best = num(s, 'bestEpoch');
      const label = typeof s['metric'] === 'string' && s['metric'] in METRICS ? METRICS[s['metric'] as JudgedBy].label : 'Validation metric';
      // "Validation loss" reads "best validation loss" here (the short form, "val. loss", is for table cells).
      const metric = label.charAt(0).toLowerCase() + label.slice(1);
      return best === undefined ? undefined : `epoch ${best} (best ${metric})`;
    },
  },
  // Accuracy and macro-F1 head the validation results below; the loss is only here.
  { label: 'Validation loss', value: (s) => valid(s, 'loss', formatLoss) },
  { label: 'Training loss, last epoch', value: (s) => map(num(s, 'trainLoss'), formatLoss) },
  { label: 'Training steps', value: (s) => map(num(s, 'steps'), formatNumber) },
  { label: 'Vocabulary', value: (s) => map(num(s, 'vocabularySize'), (n) => plural(n, 'word')) },
  { label: 'Vector size', value: (s) => map(num(s, 'dimensions'), (n) => `${n} dimensions`) },
  { label: 'Corpus', value: (s) => map(num(s, 'corpusTokens') ?? num(s, 'words'), (n) => plural(n, 'token')) },
  { label: 'Speed', value: (s) => map(num(s, 'wordsPerSecond'), (n) => `${formatNumber(Math.round(n))} words/s`) },
  { label: 'Training time', value: (s) => map(num(s, 'trainingSeconds'), (n) => formatDuration(n)) },
  {
    label: 'Analogies',
    value: (s) => {
      const analogies = object(s['analogies']);
      const accuracy = analogies && num(analogies, 'accuracy');
      const questions = analogies && num(analogies, 'questions');
      return accuracy === undefined ? undefined : `${formatScore(accuracy)} accuracy${questions !== undefined ? ` on ${plural(questions, 'question')}` : ''}`;
    },
  },
  {
    label: 'Cached features',
    value: (s) => {
      const stages = Array.isArray(s['cachedFeatures']) ? s['cachedFeatures'].map(object).filter((stage) => stage !== undefined) : [];
      const described = stages.map((stage) => {
        const encode = num(stage, 'encodeSeconds');
        const speedup = num(stage, 'stepSpeedup');
        return `${String(stage['stage'])}: encoded once in ${encode === undefined ? '?' : seconds(encode)}, then ×${speedup === undefined ? '?' : speedup.toFixed(speedup < 10 ? 1 : 0)} faster per step`;
      });
      return described.length > 0 ? described.join('; ') : undefined;
    },
  },
];

function map(value: number | undefined, format: (value: number) => string): string | undefined {
  return value === undefined ? undefined : format(value);
}

function valid(summary: Summary, key: string, format: (value: number) => string): string | undefined {
  const validation = object(summary['validation']);
  return map(validation && num(validation, key), format);
}

/** Labels of the files a word2vec run writes (summary.files is an object for it, a list for a classifier). */
const FILE_LABELS: Record<string, string> = {
  vectorsText: 'vectors, word2vec text format',
  vectorsBinary: 'vectors, word2vec binary format',
  fullModel: 'full model, to continue training from',
};

export function summaryFacts(summary: Summary): [string, string][] {
  return FACTS.map((fact): [string, string | undefined] => [fact.label, fact.value(summary)]).filter((row): row is [string, string] => row[1] !== undefined);
}

export function summaryFiles(summary: Summary): { path: string; label?: string }[] {
  const files = summary['files'];
  if (Array.isArray(files)) return files.filter((file): file is string => typeof file === 'string').map((path) => ({ path }));
  return Object.entries(object(files) ?? {})
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([key, path]) => ({ path, ...(FILE_LABELS[key] && { label: FILE_LABELS[key] }) }));
}

/** A path as a short link-like text (full path on hover) with a Reveal button that posts `reveal`. */
export function pathWithReveal(path: string, workspaceFolders: readonly string[], options: { base?: string; label?: string } = {}): HTMLElement {
  return h('span', { class: 'path' },
    h('code', { title: path }, shortenPath(path, workspaceFolders, options.base)),
    options.label ? h('span', { class: 'muted' }, ` ${options.label}`) : null, ' ',
    h('button', { type: 'button', class: 'link', 'data-reveal': path, 'aria-label': `Reveal ${path}` }, 'Reveal'));
}

export function renderSummary(summary: Summary, runDir: string, workspaceFolders: readonly string[]): HTMLElement[] {
  const facts = h('dl', { class: 'facts' }, ...summaryFacts(summary).map(([label, value]) => h('div', { class: 'fact' }, h('dt', {}, label), h('dd', {}, value))));
  const files = h('ul', { class: 'files' },
    h('li', {}, pathWithReveal(runDir, workspaceFolders, { label: 'the run folder' })),
    ...summaryFiles(summary).map((file) => h('li', {}, pathWithReveal(file.path, workspaceFolders, { base: runDir, ...(file.label && { label: file.label }) }))));
  return [facts, h('h3', {}, 'Files'), files];
}
