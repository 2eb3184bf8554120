import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { cosine, type NearestNeighbours } from './neighbours';

export interface SimilarityEvaluation {
  /** Spearman rank correlation between the gold scores and the cosines (ties get average ranks). */
  spearman: number;
  pearson: number;
  pairs: number;
  /** Pairs skipped because a word is out of vocabulary. */
  skipped: number;
}

/**
 * gensim's `evaluate_word_pairs`: lines `word1 word2 score` (tabs or spaces; `#` starts a comment),
 * cosine of each in-vocabulary pair against the gold score.
 */
export async function evaluateWordPairs(neighbours: NearestNeighbours, file: string, options: { caseInsensitive?: boolean; restrictVocab?: number } = {}): Promise<SimilarityEvaluation> {
  const restrict = Math.min(options.restrictVocab ?? 300_000, neighbours.words.length);
  const caseInsensitive = options.caseInsensitive ?? true;
  const key = (word: string): string => (caseInsensitive ? word.toUpperCase() : word);
  const allowed = new Map<string, number>();
  for (let row = restrict - 1; row >= 0; row--) allowed.set(key(neighbours.words[row]!), row);
  const gold: number[] = [];
  const predicted: number[] = [];
  let skipped = 0;
  let lineNumber = 0;
  for await (const raw of createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    lineNumber++;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const score = Number(fields[2]);
    if (fields.length < 3 || !Number.isFinite(score)) throw new Error(`${file}:${lineNumber}: expected 'word1 word2 score', found ${JSON.stringify(line)}`);
    const a = allowed.get(key(fields[0]!));
    const b = allowed.get(key(fields[1]!));
    if (a === undefined || b === undefined) {
      skipped++;
      continue;
    }
    gold.push(score);
    predicted.push(cosine(neighbours.unitVector(a), neighbours.unitVector(b)));
  }
  return { spearman: pearsonCorrelation(ranks(gold), ranks(predicted)), pearson: pearsonCorrelation(gold, predicted), pairs: gold.length, skipped };
}

/** 1-based ranks, ties sharing their average rank (scipy's rankdata 'average'). */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((x, y) => x.value - y.value);
  const result = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) result[order[i]!.index] = rank;
    start = end + 1;
  }
  return result;
}

export function pearsonCorrelation(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}
