// How the panels write numbers, names and paths, stated once: thousands separators, scores to three
// decimals, similarities to three, compact axis ticks, tasks by name, paths shortened against the workspace.
import type { RunTask } from '../../common/protocol/runEvents';

const TASK_NAMES: Record<RunTask, string> = { 'text-classification': 'text classification', word2vec: 'word2vec' };

/** A task as people say it. */
export const taskName = (task: RunTask): string => TASK_NAMES[task];

export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return value.toLocaleString('en-US');
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e9)) return value.toExponential(2);
  return Number(value.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** Accuracy, F1, precision, recall: always three decimals, so columns line up. */
export const formatScore = (value: number): string => value.toFixed(3);

/** A cosine similarity: always three decimals. */
export const formatSimilarity = (value: number): string => value.toFixed(3);

/** A loss: four significant digits. */
export const formatLoss = (value: number): string => formatNumber(value, 4);

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** An axis tick: 1.2M, 150K, 4,000, 0.25, 3e-5. */
export function formatTick(value: number): string {
  return Math.abs(value) >= 10_000 ? compact.format(value) : formatNumber(value, 3);
}

/** `count word` or `count words`, with separators. */
export const plural = (count: number, word: string): string => `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;

/**
 * `path` as short as it can be read: relative to `base` (a run folder) or to the workspace folder that
 * holds it, else its last two parts after an ellipsis. The full path goes in the element's title.
 */
export function shortenPath(path: string, workspaceFolders: readonly string[], base?: string): string {
  const separator = path.includes('\\') && !path.includes('/') ? '\\' : '/';
  for (const folder of base ? [base, ...workspaceFolders] : workspaceFolders) {
    const prefix = folder.endsWith(separator) ? folder : `${folder}${separator}`;
    if (path.startsWith(prefix) && path.length > prefix.length) return path.slice(prefix.length);
  }
  const parts = path.split(separator).filter(Boolean);
  return parts.length > 2 ? `…${separator}${parts.slice(-2).join(separator)}` : path;
}
